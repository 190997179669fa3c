"""Commands print their result alone on stdout; logs, library banners included, go elsewhere."""

import re
import subprocess
import sys

import pytest

from tests.helpers.upstream import FakeUpstream
from tests.server import PROJECT_DIR, migrate, scratch_database, server_env

KEY_PATTERN = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


@pytest.fixture(scope="module")
def command_env(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("logging")) as database_url:
        env = server_env(database_url)
        migrate(env)
        yield env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize(
    "command",
    [
        ["plugin_user_key", "alice", "--host", "todo-user.localhost"],
        ["plugin_service_key", "todo-service.localhost"],
    ],
)
def test_a_key_command_prints_only_the_key_so_shell_capture_works(command_env, command):
    result = manage(command_env, *command)
    assert result.stdout.splitlines() == [result.stdout.strip()]
    assert KEY_PATTERN.fullmatch(result.stdout.strip()), result.stdout
    assert "AXES: BEGIN" not in result.stdout + result.stderr


def test_log_records_go_to_stderr(command_env):
    result = manage(
        command_env,
        "shell",
        "--verbosity",
        "0",
        "-c",
        "import logging; logging.getLogger('pluginmeta').warning('a warning for the log')",
    )
    assert "a warning for the log" in result.stderr
    assert result.stdout == ""


def test_sync_logs_no_line_per_upstream_request(command_env):
    with FakeUpstream() as upstream:
        result = manage(
            command_env, "sync_sportstats", "--base-url", upstream.url, "--per-page", "2",
            "--seasons", "2022",
        )  # fmt: skip
    assert len(upstream.requests) > 5
    assert result.stdout.splitlines() == [result.stdout.strip()]
    assert result.stdout.startswith("Synced seasons 2022: 3 teams, 7 players,")
    assert "HTTP Request" not in result.stderr
