"""register_chatgpt_client run as a real process: bad input ends in a clear error, no traceback,
and creates nothing."""

import sqlite3
import subprocess
import sys
from contextlib import closing

import psycopg
import pytest
from django.core.exceptions import ValidationError
from oauth2_provider.models import get_application_model

from pluginmeta.auth.oauth.services import register_client
from tests.server import PROJECT_DIR, migrate, scratch_database, server_env

OAUTH_HOST = "todo-oauth.localhost"
GOOD_URI = "https://chatgpt.com/aip/g-0123abcd/oauth/callback"
COUNT_CLIENTS = "SELECT count(*) FROM oauth2_provider_application"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def command_env(tmp_path_factory, django_db_setup, django_db_blocker):
    """Environment of a migrated database of its own, as an operator's shell would have."""
    with django_db_blocker.unblock(), scratch_database(tmp_path_factory.mktemp("cmd")) as url:
        env = server_env(url)
        migrate(env)
        yield env


def register(env: dict[str, str], *args: str | bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "register_chatgpt_client", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        timeout=120,
    )


def client_count(env: dict[str, str]) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
            return connection.execute(COUNT_CLIENTS).fetchone()[0]
    with psycopg.connect(url) as connection:
        return connection.execute(COUNT_CLIENTS).fetchone()[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((OAUTH_HOST, "--redirect-uri", "http://[::1"), "not a valid URL"),
        ((OAUTH_HOST, "--redirect-uri", "https://chatgpt.com:abc/cb"), "not a valid URL"),
        ((OAUTH_HOST, "--redirect-uri", "https://chatgpt.com:65536/cb"), "not a valid URL"),
        ((OAUTH_HOST, "--redirect-uri", "https://chatgpt.com:99999999/cb"), "not a valid URL"),
        ((OAUTH_HOST, "--redirect-uri", "https://chatgpt.com:0/cb"), "not a valid URL"),
        ((OAUTH_HOST, "--redirect-uri", "https://eve@chatgpt.com/cb"), "user name or password"),
        ((OAUTH_HOST, "--redirect-uri", "https://u:p@chatgpt.com/cb"), "user name or password"),
        ((OAUTH_HOST, "--redirect-uri", b"https://chatgpt.com/\xff/cb"), "valid UTF-8"),
        ((b"todo-oauth\xff.localhost", "--redirect-uri", GOOD_URI), "valid UTF-8"),
        ((OAUTH_HOST, "--redirect-uri", GOOD_URI, "--name", b"Chat\xc3GPT"), "valid UTF-8"),
        (
            (OAUTH_HOST, "--redirect-uri", GOOD_URI, "--verification-token", b"\xfe\xff"),
            "valid UTF-8",
        ),
    ],
    ids=[
        "unclosed-ipv6",
        "port-abc",
        "port-65536",
        "port-huge",
        "port-0",
        "user",
        "user-and-password",
        "non-utf8-uri",
        "non-utf8-host",
        "non-utf8-name",
        "non-utf8-token",
    ],
)
def test_bad_input_is_a_command_error_and_creates_nothing(command_env, args, message):
    result = register(command_env, *args)
    stderr = result.stderr.decode("utf-8", "backslashreplace")
    assert result.returncode != 0
    assert "Traceback" not in stderr
    assert stderr.startswith("CommandError: ")
    assert message in stderr
    assert b"client_secret" not in result.stdout
    assert client_count(command_env) == 0  # the module's good registration runs last


def test_a_good_uri_registers_one_client(command_env):
    before = client_count(command_env)
    result = register(command_env, OAUTH_HOST, "--redirect-uri", GOOD_URI)
    assert result.returncode == 0, result.stderr
    assert b"client_id: " in result.stdout
    assert client_count(command_env) == before + 1


@pytest.mark.parametrize(
    "uri",
    ["https://chatgpt.com/cb\x00", "https://chatgpt.com/caf\u00e9/cb", "https://chatgpt.com/\tcb"],
)
def test_register_client_refuses_what_no_client_could_send(oauth_plugin, uri):
    with pytest.raises(ValidationError, match="printable ASCII"):
        register_client(oauth_plugin, [uri])
    assert not get_application_model().objects.exists()
