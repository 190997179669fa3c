"""manage.py run by a Python without Django (the virtualenv not active): one line of advice."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.server import PROJECT_DIR


def run_without_site_packages(manage: Path) -> subprocess.CompletedProcess:
    """The interpreter .venv was made from, as a newcomer's `python` is, without its packages."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    python = Path(sys.base_prefix) / "bin" / "python3"
    # -S: no site-packages, so Django is missing whatever that interpreter has installed.
    return subprocess.run(
        [str(python), "-S", str(manage), "check"],
        cwd=manage.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_of_advice(result: subprocess.CompletedProcess, advice: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert advice in result.stderr


def test_in_a_checkout_with_a_venv_it_says_to_activate_it(tmp_path):
    shutil.copy2(PROJECT_DIR / "manage.py", tmp_path / "manage.py")
    (tmp_path / ".venv").mkdir()
    result = run_without_site_packages(tmp_path / "manage.py")
    assert_one_line_of_advice(result, "source .venv/bin/activate")


def test_in_a_checkout_without_a_venv_it_says_to_run_make_run(tmp_path):
    shutil.copy2(PROJECT_DIR / "manage.py", tmp_path / "manage.py")
    result = run_without_site_packages(tmp_path / "manage.py")
    assert_one_line_of_advice(result, "`make run` once")
