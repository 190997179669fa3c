"""`make run` and the production server on a port that is taken: one line of advice, at once."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import PROJECT_DIR, free_port

# What stands in for the virtualenv's python in the scratch checkout: asked by the Makefile
# which checkout it is installed from (python -I -c ...), it names this one; any other call
# it only notes, so a `make run` that went past the port check shows which steps it ran.
RECORDING_PYTHON = """#!/bin/sh
checkout="$(cd "$(dirname "$0")/../.." && pwd -P)"
if [ "$1" = "-I" ]; then echo "$checkout"; exit 0; fi
echo "$@" >> "$checkout/steps-run.txt"
"""


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def scratch_checkout(tmp_path: Path) -> Path:
    """The Makefile and the port check in a folder of their own, with an installed-looking
    .venv whose python records its calls, so `make run` changes nothing in the real checkout."""
    (tmp_path / "config").mkdir()
    for name in ("Makefile", "pyproject.toml", "config/__init__.py", "config/ports.py"):
        shutil.copy2(PROJECT_DIR / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDING_PYTHON)
    python.chmod(0o755)
    (tmp_path / ".venv" / ".installed").touch()
    (tmp_path / ".secret_key").write_text("scratch\n")
    return tmp_path


def make_run(checkout: Path, port: int) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    finished = subprocess.run(
        ["make", "--no-print-directory", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return finished, time.monotonic() - started


def steps_run(checkout: Path) -> list[str]:
    record = checkout / "steps-run.txt"
    return record.read_text().splitlines() if record.exists() else []


def test_make_run_on_a_taken_port_says_which_port_to_use_before_any_slow_step(
    scratch_checkout, taken_port
):
    finished, elapsed = make_run(scratch_checkout, taken_port)
    assert finished.returncode != 0
    assert finished.stdout == ""
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in lines[0]
    assert re.search(r"run `make run PORT=\d+`", lines[0]), lines[0]
    assert steps_run(scratch_checkout) == []
    assert elapsed < 10


def test_make_run_on_a_free_port_goes_on_to_set_up_and_serve(scratch_checkout):
    port = free_port()
    finished, _ = make_run(scratch_checkout, port)
    assert finished.returncode == 0, finished.stderr
    assert steps_run(scratch_checkout) == [
        "manage.py migrate --noinput",
        f"manage.py setup_demo --port {port}",
        f"manage.py runserver --insecure 127.0.0.1:{port}",
    ]


def test_the_suggested_port_is_free(taken_port):
    finished = subprocess.run(
        [sys.executable, "-m", "config.ports", "127.0.0.1", str(taken_port)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert finished.returncode == 1
    suggested = int(re.search(r"PORT=(\d+)", finished.stderr).group(1))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", suggested))


def test_the_production_server_on_a_taken_port_prints_one_line_and_fails(taken_port):
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(taken_port),
        "DJANGO_SECRET_KEY": "unused-" * 8,
    }
    finished = subprocess.run(
        [sys.executable, "-m", "config.serve"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert len(finished.stderr.splitlines()) == 1, finished.stderr
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in finished.stderr
    assert re.search(r"run `PORT=\d+ python -m config\.serve`", finished.stderr)
