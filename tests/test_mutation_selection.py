"""mutmut's test selection (the `mutation` marker) covers every module it mutates."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
MUTMUT = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["mutmut"]


def collected(*args: str) -> list[str]:
    """The test ids `pytest --collect-only` lists with args, as mutmut runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return [line for line in result.stdout.splitlines() if "::" in line]


@pytest.fixture(scope="module")
def selected() -> list[str]:
    return collected(*MUTMUT["pytest_add_cli_args_test_selection"], *MUTMUT["pytest_add_cli_args"])


def test_mutmut_selects_the_tests_marked_mutation():
    assert MUTMUT["pytest_add_cli_args_test_selection"] == ["-m", "mutation"]


@pytest.mark.parametrize("pattern", MUTMUT["only_mutate"])
def test_every_mutated_module_has_selected_tests_in_its_mirror_folder(selected, pattern):
    # tests/ mirrors the packages: pluginmeta/auth/oauth/* is tested in tests/pluginmeta/auth/oauth.
    folder = f"tests/{Path(pattern).parent.as_posix()}/"
    assert any(test_id.startswith(folder) for test_id in selected), folder


def test_the_deselected_test_still_exists(selected):
    args = MUTMUT["pytest_add_cli_args"]
    deselected = [args[i + 1] for i, arg in enumerate(args) if arg == "--deselect"]
    for test_id in deselected:
        module = test_id.split("::")[0]
        assert test_id in collected(module), f"{test_id} is gone: drop its --deselect"
        assert test_id not in selected
