"""The secret key: DJANGO_SECRET_KEY, else the checkout's .secret_key file, else no start."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.server import PROJECT_DIR, server_env

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def env_without_key(key_file: Path) -> dict[str, str]:
    env = server_env("sqlite:///unused.sqlite3", DJANGO_SECRET_KEY_FILE=str(key_file))
    del env["DJANGO_SECRET_KEY"]
    return env


def test_the_default_key_file_is_the_one_make_run_writes():
    assert settings.SECRET_KEY_FILE == settings.BASE_DIR / ".secret_key"
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "\n.secret_key:\n" in makefile


def test_without_the_variable_the_key_comes_from_the_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text("key-from-the-file-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF\n")
    result = run_manage(env_without_key(key_file), "shell", "--verbosity", "0", "-c", PRINT_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "key-from-the-file-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF\n"


def test_the_variable_wins_over_the_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text("key-from-the-file\n")
    env = env_without_key(key_file)
    env["DJANGO_SECRET_KEY"] = "key-from-the-environment"
    result = run_manage(env, "shell", "--verbosity", "0", "-c", PRINT_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "key-from-the-environment\n"


def test_without_variable_or_file_the_server_refuses_to_start(tmp_path):
    missing = tmp_path / "no-such-file"
    result = run_manage(env_without_key(missing), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_key_file_is_refused_too(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text("\n")
    result = run_manage(env_without_key(key_file), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
