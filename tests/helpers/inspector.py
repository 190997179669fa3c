"""MCP Inspector's CLI, from the npm registry: installed once into a cache folder, then run.

Node clients are what the path form is for (Node's resolver does not map `*.localhost`, and
its fetch drops a custom Host header), so the tests drive one: the official Inspector, pinned.
"""

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

INSPECTOR_PACKAGE = "@modelcontextprotocol/inspector"
INSPECTOR_VERSION = "2.12.0"
_CACHE_ROOT = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
INSPECTOR_DIR = _CACHE_ROOT / "ai-plugin-server" / f"mcp-inspector-{INSPECTOR_VERSION}"


class InspectorFailed(AssertionError):
    """The Inspector exited non-zero or printed no JSON; the message holds its output."""


def inspector_bin() -> Path:
    """The Inspector's launcher, installing the pinned version first if the cache lacks it.

    npm installs it into INSPECTOR_DIR once; a lock keeps parallel test workers from
    installing it at the same time.
    """
    launcher = INSPECTOR_DIR / "node_modules" / ".bin" / "mcp-inspector"
    if launcher.exists():
        return launcher
    npm = shutil.which("npm")
    if npm is None:
        raise InspectorFailed("npm is not installed: the Inspector tests need Node.js and npm")
    INSPECTOR_DIR.mkdir(parents=True, exist_ok=True)
    with open(INSPECTOR_DIR / ".install-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not launcher.exists():
            subprocess.run(
                [npm, "install", "--prefix", str(INSPECTOR_DIR), "--no-audit", "--no-fund",
                 "--loglevel", "error", f"{INSPECTOR_PACKAGE}@{INSPECTOR_VERSION}"],
                check=True, capture_output=True, timeout=600,
            )  # fmt: skip
    return launcher


def run_inspector(url: str, method: str, *args: str, timeout: float = 120) -> dict:
    """`mcp-inspector --cli <url> --method <method> ...`: the JSON result it prints."""
    command = [str(inspector_bin()), "--cli", url, "--method", method, *args]
    # The Inspector keeps its catalog and storage in the home folder: a scratch one, not yours.
    home = INSPECTOR_DIR / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise InspectorFailed(f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise InspectorFailed(f"{command} printed no JSON:\n{done.stdout}\n{done.stderr}") from None
