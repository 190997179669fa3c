"""Virtualenvs for copies of the checkout, so that no test changes the project's own."""

import subprocess
import sys
import sysconfig
from pathlib import Path

VENV = Path(sys.prefix)


def site_packages(venv: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))


def layered_venv(target: Path) -> Path:
    """A virtualenv that sees every package of the project's but installs only into itself.

    The README's `pip install -e ...` in the copy would otherwise point the project's editable
    install at the copy, which is deleted after the test. Creating it costs a fraction of a
    second where copying the project's virtualenv costs many.
    """
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(target)], check=True, timeout=120
    )
    # addsitedir, unlike a plain path line, also runs the project's .pth files (its editable
    # install among them); the copy's own site-packages stays first on sys.path.
    (site_packages(target) / "_layered_on_the_project_venv.pth").write_text(
        f"import site; site.addsitedir({str(site_packages(VENV))!r})\n"
    )
    # The project's commands (pip, ruff, granian, ...), run by the copy's interpreter so that
    # whatever they install lands in the copy.
    own_shebang = f"#!{VENV / 'bin' / 'python'}".encode()
    for script in (VENV / "bin").iterdir():
        copied = target / "bin" / script.name
        if not script.is_file() or copied.exists() or copied.is_symlink():
            continue
        with script.open("rb") as source:
            is_own_script = source.read(len(own_shebang)) == own_shebang
        if is_own_script:
            _shebang, _, rest = script.read_bytes().partition(b"\n")
            copied.write_bytes(f"#!{target / 'bin' / 'python'}".encode() + b"\n" + rest)
            copied.chmod(script.stat().st_mode)
        else:
            copied.symlink_to(script)
    return target


def environment_state(venv: Path) -> dict[str, str]:
    """What a test could change in a virtualenv: what is installed, and where the project is."""
    packages = site_packages(venv)
    installed = sorted(p.name for p in packages.iterdir() if p.name != "__pycache__")
    state = {"installed": "\n".join(installed)}
    project_files = [
        *packages.glob("ai_plugin_server-*.dist-info/*"),
        *packages.glob("__editable__*"),
    ]
    for path in project_files:
        if path.is_file():
            state[path.name] = path.read_text(errors="replace")
    return state
