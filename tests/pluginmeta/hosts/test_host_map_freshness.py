"""A plugin change is served by every server worker on its next request after the commit.

The real server (granian) with two workers; the change is made by another process (a
management command, or the ORM in `manage.py shell`), with and without Redis.
"""

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server import (
    PROJECT_DIR,
    manage_shell,
    migrate,
    running_server,
    scratch_database,
    server_env,
)

SERVICE_HOST = "todo-service.localhost"
REQUESTS_PER_CHECK = 24  # each on a new connection, so both workers answer some of them


def fresh_gets(base: str, host: str, path: str) -> list[requests.Response]:
    return [
        requests.get(f"{base}{path}", headers={"Host": host, "Connection": "close"}, timeout=10)
        for _ in range(REQUESTS_PER_CHECK)
    ]


def manifest_tokens(base: str) -> set:
    responses = fresh_gets(base, SERVICE_HOST, "/.well-known/ai-plugin.json")
    return {r.json()["auth"].get("verification_tokens", {}).get("openai") for r in responses}


@pytest.fixture
def server_env_without_redis(tmp_path) -> Iterator[dict[str, str]]:
    with scratch_database(tmp_path) as database_url:
        env = server_env(
            database_url,
            API_THROTTLE_RATE="off",
            PLUGIN_HOST_GENERATION_FILE=str(tmp_path / "generation"),
        )
        env.pop("REDIS_URL", None)
        migrate(env)
        yield env


def test_a_command_in_another_process_is_seen_by_every_worker_without_redis(
    server_env_without_redis,
):
    env = server_env_without_redis
    with running_server(env, workers=2) as base:
        assert manifest_tokens(base) == {None}  # every worker now holds the map
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "plugin_service_key",
                SERVICE_HOST,
                "--verification-token",
                "token-from-chatgpt",
            ],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert manifest_tokens(base) == {"token-from-chatgpt"}


SWITCH_TO_SERVICE_AUTH = (
    "from pluginmeta.models import Plugin\n"
    "plugin = Plugin.objects.get(slug='todo')\n"
    "plugin.auth_type = 'service_http'\n"
    "plugin.authorization_type = 'bearer'\n"
    "plugin.save()\n"
)


def test_an_orm_change_in_another_process_is_seen_by_every_worker_without_redis(
    server_env_without_redis,
):
    env = server_env_without_redis
    with running_server(env, workers=2) as base:
        assert {r.status_code for r in fresh_gets(base, "localhost", "/todos/global")} == {200}
        manage_shell(env, SWITCH_TO_SERVICE_AUTH)
        assert {r.status_code for r in fresh_gets(base, "localhost", "/todos/global")} == {401}


def test_requests_during_a_save_do_not_keep_the_old_plugin_after_the_commit(tmp_path):
    # The save's transaction stays open while the workers answer requests, as when an admin
    # save and other requests overlap; the workers must not keep what they read meanwhile.
    with scratch_database(tmp_path) as database_url:
        env = server_env(
            database_url,
            API_THROTTLE_RATE="off",
            REDIS_URL="redis://127.0.0.1:6379/3",
            DJANGO_CACHE_PREFIX=f"test-{uuid.uuid4().hex}",
            PLUGIN_HOST_GENERATION_FILE=str(tmp_path / "generation"),
        )
        migrate(env)
        with running_server(env, workers=2) as base:
            assert {r.status_code for r in fresh_gets(base, "localhost", "/todos/global")} == {200}
            save_while_serving = (
                "import requests\n"
                "from django.db import transaction\n"
                "with transaction.atomic():\n"
                + "".join(f"    {line}\n" for line in SWITCH_TO_SERVICE_AUTH.splitlines())
                + "    during = {requests.get("
                f"'{base}/todos/global', headers={{'Host': 'localhost', 'Connection': 'close'}},"
                f" timeout=10).status_code for _ in range({REQUESTS_PER_CHECK})}}\n"
                "print(sorted(during))\n"
            )
            # Before the commit the old plugin is the right answer.
            assert manage_shell(env, save_while_serving).splitlines()[-1] == "[200]"
            assert {r.status_code for r in fresh_gets(base, "localhost", "/todos/global")} == {401}


def test_generation_file_setting_names_the_file_that_grows(server_env_without_redis):
    env = server_env_without_redis
    generation = Path(env["PLUGIN_HOST_GENERATION_FILE"])
    before = generation.stat().st_size if generation.exists() else 0
    manage_shell(env, SWITCH_TO_SERVICE_AUTH)
    assert generation.stat().st_size == before + 1
