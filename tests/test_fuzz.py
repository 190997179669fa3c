"""schemathesis against every plugin host's generated spec, over real HTTP to the real server."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server import (
    manage_shell,
    migrate,
    running_server,
    scratch_database,
    server_env,
)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
OAUTH_TOKEN = "fuzz-oauth-access-token-0123456789abcdef"

# One pytest-xdist worker runs them all, so the seeded server is started once.
pytestmark = pytest.mark.xdist_group("fuzz")

# Seeds a user, keys and an OAuth token in the server's database; prints the two keys.
SEED = f"""
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken, get_application_model
from pluginmeta.auth.services import create_user_key, rotate_service_key
from pluginmeta.models import Plugin
from pluginmeta.auth.oauth.services import register_client

alice = get_user_model().objects.create_user("alice", password="unused-" + "x" * 20)
print(rotate_service_key(Plugin.objects.get(slug="todo-service")))
print(create_user_key(alice, Plugin.objects.get(slug="todo-user"))[1])
client = register_client(
    Plugin.objects.get(slug="todo-oauth"), ["https://chat.openai.com/aip/fuzz/oauth/callback"]
)
AccessToken.objects.create(
    user=alice,
    application=get_application_model().objects.get(client_id=client.client_id),
    token="{OAUTH_TOKEN}",
    expires=timezone.now() + timedelta(hours=1),
    scope="todos",
)
# A small league, so the Sport Stats responses carry the ids its links pass on.
call_command(
    "generate_sportstats", players=60, seasons=1, games_per_team=4, last_season=2024, verbosity=0
)
"""

# Pins the path username of the hosts where only the caller's own name is allowed.
OWN_NAME_CONFIG = """
[parameters]
"path.username" = "alice"
"""


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory, django_db_blocker):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    with django_db_blocker.unblock(), scratch_database(tmp_path) as database_url:
        env = server_env(database_url, API_THROTTLE_RATE="off")
        migrate(env)
        seeded = manage_shell(env, SEED)
        service_key, user_key = [
            line for line in seeded.splitlines() if "." in line and " " not in line
        ][-2:]
        log = tmp_path / "server.log"
        # granian's access log (WEB_ACCESS_LOG) is what logged_statuses reads.
        with running_server(env, workers=2, output=log, access_log=True) as base:
            yield base, {"service": service_key, "user": user_key}, log


def logged_statuses(log: Path, start: int) -> set[int]:
    """The statuses in granian's access log lines written after byte offset start.

    A line reads `[time] address - "METHOD /path HTTP/1.1" status milliseconds`.
    """
    with log.open("rb") as lines:
        lines.seek(start)
        text = lines.read().decode(errors="replace")
    return {int(status) for status in re.findall(r'" (\d{3}) ', text)}


def fuzz(base: str, host: str, tmp_path: Path, token: str | None, own_name: bool) -> str:
    config = tmp_path / "schemathesis.toml"
    config.write_text(OWN_NAME_CONFIG if own_name else "")
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{base}/openapi.json",
        "--url",
        base,
        "-H",
        f"Host: {host}",
        "--checks",
        "all",
        # Both assume DELETE /todos/{username} deletes the resource GET /todos/{username}
        # reads; deleteTodo removes one item of that list by index, so the list stays (200)
        # and a fuzzed index past its end is a correct 404.
        "--exclude-checks",
        "ensure_resource_availability,use_after_free",
        "--max-examples",
        os.environ.get("FUZZ_EXAMPLES", "40"),
        "--seed",
        "20261127",
        "--request-timeout",
        "20",
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize(
    ("host", "credential", "own_name"),
    [
        ("localhost", None, False),
        ("todo-service.localhost", "service", False),
        ("todo-user.localhost", "user", True),
        ("todo-oauth.localhost", "oauth", True),
    ],
)
def test_schemathesis_finds_nothing(fuzz_server, tmp_path, host, credential, own_name):
    base, keys, _log = fuzz_server
    token = OAUTH_TOKEN if credential == "oauth" else keys.get(credential)
    output = fuzz(base, host, tmp_path, token, own_name)
    assert "Tested:" in output


@pytest.mark.parametrize(
    ("host", "credential"),
    [("todo-user.localhost", "user"), ("todo-oauth.localhost", "oauth")],
)
def test_schemathesis_reaches_the_refusal_of_other_users_lists(
    fuzz_server, tmp_path, host, credential
):
    # The username is left to the fuzzer: nearly every name it makes is not the caller's.
    base, keys, log = fuzz_server
    token = OAUTH_TOKEN if credential == "oauth" else keys[credential]
    start = log.stat().st_size
    fuzz(base, host, tmp_path, token, own_name=False)
    assert 403 in logged_statuses(log, start)


def test_schemathesis_follows_sport_stats_links(fuzz_server, tmp_path):
    """The stateful phase passes ids from one answer to the next call (players -> stats, ...).

    On an empty league no answer carries an id, so no link was ever followed; the seeded
    league makes them followable. How many of the inferred links a run covers depends on
    its random draws (4 of 6 with this seed and 40 examples), so the test asks for some.
    """
    base, _keys, _log = fuzz_server
    output = fuzz(base, "sports.localhost", tmp_path, None, own_name=False)
    covered, selected = re.search(r"API Links:\s+(\d+) covered / (\d+) selected", output).groups()
    assert int(selected) == 6
    assert int(covered) > 0, output
