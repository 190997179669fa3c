"""`make run` and `make test` reinstall when .venv no longer imports this checkout.

Their `.venv/.installed` stamp is normally remade only when pyproject.toml is newer. An
editable install that points at another folder (a copy that was installed from and then
deleted) leaves `import pluginmeta` broken outside the checkout, whatever the stamp's date.
"""

import shutil
import subprocess
from pathlib import Path

from tests.server import PROJECT_DIR
from tests.venvs import layered_venv, site_packages

REINSTALL = '-m pip install --quiet -e ".[test,docs]"'


def checkout_with_fresh_stamp(target: Path) -> Path:
    """A checkout's Makefile, pyproject.toml and package, with .venv stamped after both."""
    target.mkdir()
    for name in ("Makefile", "pyproject.toml", "pluginmeta/__init__.py"):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_DIR / name, target / name)
    layered_venv(target / ".venv")
    (target / ".venv" / ".installed").touch()
    return target


def planned_install(checkout: Path) -> str:
    """What `make` would run to bring the stamp up to date (a dry run)."""
    return subprocess.run(
        ["make", "--dry-run", ".venv/.installed"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def test_a_venv_that_imports_the_project_from_elsewhere_is_reinstalled(tmp_path):
    checkout = checkout_with_fresh_stamp(tmp_path / "clone")
    # Its .venv sees the project's packages, and so imports pluginmeta from the project.
    assert REINSTALL in planned_install(checkout)


def test_a_venv_that_imports_this_checkout_is_left_alone(tmp_path):
    checkout = checkout_with_fresh_stamp(tmp_path / "clone")
    # Ahead of the layered packages on sys.path (.pth files are read in name order).
    (site_packages(checkout / ".venv") / "0_this_checkout.pth").write_text(f"{checkout}\n")
    assert REINSTALL not in planned_install(checkout)
    assert "is up to date" in planned_install(checkout)
