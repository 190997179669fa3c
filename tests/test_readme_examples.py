"""The manual's shell examples, run as a newcomer runs them, so the manual cannot rot.

The ```sh blocks are read from README.md, then from each page of docs/ in the order its
contents page (docs/index.md) lists them. In a fresh copy of the checkout (what git
tracks, with a virtualenv of its own layered on the project's) `make run` starts the server, and
every other command runs in order in one bash session in that copy, as typed in a second
terminal: no DJANGO_SECRET_KEY, the `localhost:8000` URLs pointed at the port `make run`
serves. A command that exits non-zero, a curl answered with 4xx/5xx (unless the README's
comment announces that status), or a traceback fails the test, naming the command. The
production block is run the same way, against a scratch database, ending in the production
server (granian).

Commands that cannot run here are listed in SKIPPED, each with its reason; an entry that no
longer matches a README command fails the test too, so the list stays true.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.server import PROJECT_DIR, free_port, scratch_database
from tests.venvs import VENV, environment_state, layered_venv

README = PROJECT_DIR / "README.md"
DOCS = PROJECT_DIR / "docs"
README_PORT = "8000"

# Values for the README's <placeholders>.
PLACEHOLDERS = {
    "<plugin-id>": "plugin-from-readme",
    "<token from ChatGPT>": "token-from-chatgpt",
}

SKIPPED = {
    r"^make test\b": "it runs this test suite",
    r"^make format\b": "it rewrites the source",
    r"^DATABASE_URL=\S+ make test\b": "it runs this test suite",
    r"^\.venv/bin/pytest\b": "it runs this test suite",
    r"manage\.py createsuperuser$": "it asks for a password (the deploy test runs it --noinput)",
    r"manage\.py sync_sportstats --base-url https://api\.balldontlie\.io": (
        "it needs the internet and an API key; tests/sportstats/test_sync.py runs it against "
        "a local server"
    ),
    r"manage\.py generate_sportstats": "a million rows for load tests",
    r"\bbench/": "benchmarks, not examples",
    r"^apt-get install\b": "installs a system package",
    r"^claude mcp add\b": (
        "the Claude Code CLI is not installed here; tests/pluginmeta/mcp connects the official "
        "MCP SDK client to the same URLs"
    ),
}

# The production block, against this machine: its database, no Redis (one worker), the
# project already installed, and an admin made without a prompt.
DEPLOY_MARKER = "export DATABASE_URL=postgres://app:secret@db.internal"
DEPLOY_SKIPPED = {
    r"^export REDIS_URL=": "one server worker needs no shared cache",
    r"^pip install \.$": "the project is installed in the test's virtualenv already",
}
ADMIN_PASSWORD = "a-long-admin-password-" + secrets.token_hex(4)


@dataclass(frozen=True)
class Command:
    """One command of a ```sh block (continuation lines joined), with where it stands."""

    text: str
    block: int
    line: int
    page: str = "README.md"

    def __str__(self) -> str:
        return f"{self.page} line {self.line}: {self.text}"

    @property
    def expected_status(self) -> int | None:
        """The HTTP status the README's comment announces, e.g. `# 401, ...`."""
        match = re.search(r"#\s*(\d{3})\b", self.text)
        return int(match.group(1)) if match else None


def manual_pages() -> list[Path]:
    """README.md, then the docs pages in the order the contents page links them."""
    listed = re.findall(r"\]\(([\w-]+\.md)\)", (DOCS / "index.md").read_text())
    pages = list(dict.fromkeys(DOCS / name for name in listed))
    unlisted = sorted(set(DOCS.glob("*.md")) - set(pages) - {DOCS / "index.md"})
    assert not unlisted, f"docs/index.md does not list {unlisted}"
    return [README, *pages]


def readme_commands() -> list[Command]:
    commands, block = [], 0
    for page in manual_pages():
        pending, start, inside = "", 0, False
        for number, line in enumerate(page.read_text().splitlines(), start=1):
            if line.startswith("```"):
                inside = line == "```sh"
                block += inside
                continue
            if not inside or (not pending and (not line.strip() or line.startswith("#"))):
                continue
            if not pending:
                start = number
            pending += line + "\n"
            if not line.endswith("\\"):
                name = str(page.relative_to(PROJECT_DIR))
                commands.append(Command(pending.rstrip("\n"), block, start, name))
                pending = ""
    return commands


def skip_reason(command: Command, skipped: dict[str, str]) -> str | None:
    for pattern, reason in skipped.items():
        if re.search(pattern, command.text, re.MULTILINE):
            return reason
    return None


def as_run_here(command: Command, port: int) -> str:
    text = command.text.replace(f":{README_PORT}", f":{port}")
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    unknown = re.findall(r"<[A-Za-z][^<>]*>", text)
    assert not unknown, f"{command}\nhas placeholders {unknown}: add them to PLACEHOLDERS"
    return text


def fresh_checkout(target: Path) -> Path:
    """What a clone holds (tracked and new, unignored files), and a virtualenv of its own."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    layered_venv(target / ".venv")
    return target


def newcomer_env(database_url: str | None) -> dict[str, str]:
    """The newcomer's shell: no key, no test settings, the virtualenv not yet on PATH."""
    drop = ("DJANGO_", "PYTEST", "DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "API_THROTTLE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    venv_bin = str(VENV / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def process_group(args: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator:
    """A process (and its children: runserver reloads in a child) stopped as a group."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)


def wait_until_serving(process: subprocess.Popen, base: str, log: Path, host: str) -> None:
    deadline = time.monotonic() + 600
    while True:
        try:
            requests.get(f"{base}/healthz", headers={"Host": host}, timeout=5)
            return
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.5)


@pytest.fixture
def database_url(tmp_path, settings) -> Iterator[str | None]:
    """None on SQLite (the README's default, db.sqlite3 in the checkout), else a scratch one."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        yield None
        return
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture
def checkout(tmp_path) -> Path:
    if sys.prefix == sys.base_prefix:
        pytest.skip("run the tests from the project's virtualenv (make test)")
    return fresh_checkout(tmp_path / "ai-plugin-server")


# --- The script every runnable command goes into --------------------------------------------

MARK = "@@ README command "
# curl as typed, plus a line on stderr with the status of every response it got; the marks
# start on a line of their own, as a body need not end with a newline.
PRELUDE = f"""
set -o pipefail
curl() {{
  command curl --silent --show-error --write-out '%{{stderr}}HTTP %{{http_code}}\\n' "$@"
}}
mark() {{ printf '\\n{MARK}%s\\n' "$1" >&2; printf '\\n{MARK}%s\\n' "$1"; }}
failed() {{ echo "{MARK}$1 exit $2" >&2; exit 1; }}
"""


def script_of(commands: list[tuple[int, str]]) -> str:
    lines = [PRELUDE]
    for index, text in commands:
        check = f'status=$?; [ "$status" -eq 0 ] || failed {index} "$status"'
        lines += [f"mark {index}", text, check]
    return "\n".join(lines) + "\n"


def sections(output: str) -> dict[int, str]:
    parts = re.split(rf"^{re.escape(MARK)}(\d+)\n", output, flags=re.MULTILINE)
    return {int(index): text for index, text in zip(parts[1::2], parts[2::2], strict=True)}


def check_results(commands: list[tuple[int, Command]], result: subprocess.CompletedProcess) -> None:
    stdout, stderr = sections(result.stdout), sections(result.stderr)
    for index, command in commands:
        out, err = stdout.get(index), stderr.get(index, "")
        shown = f"{command}\n--- stdout:\n{out}\n--- stderr:\n{err}"
        assert out is not None, f"never reached: {command}\n{result.stderr[-3000:]}"
        assert f"{MARK}{index} exit" not in result.stderr, f"failed: {shown}"
        assert "Traceback" not in err, f"printed a traceback: {shown}"
        statuses = [int(code) for code in re.findall(r"^HTTP (\d{3})$", err, re.MULTILINE)]
        if command.text.lstrip().startswith(("curl", "CURSOR=$(curl")):
            assert statuses, f"got no HTTP response: {shown}"
        wanted = command.expected_status
        for status in statuses:
            if wanted is not None:
                assert status == wanted, f"answered {status}, the README says {wanted}: {shown}"
            else:
                assert status < 400, f"answered {status}: {shown}"


# --- The tests ------------------------------------------------------------------------------


def test_every_skip_reason_still_matches_a_readme_command():
    commands = readme_commands()
    for pattern in [*SKIPPED, *DEPLOY_SKIPPED]:
        assert any(re.search(pattern, c.text, re.MULTILINE) for c in commands), pattern
    assert any(DEPLOY_MARKER in c.text for c in commands)


def test_the_readme_examples_work_as_written(checkout, database_url, tmp_path):
    environment_before = environment_state(VENV)
    commands = readme_commands()
    deploy_block = next(c.block for c in commands if DEPLOY_MARKER in c.text)
    port = free_port()
    env = newcomer_env(database_url)
    assert commands[0].text.startswith("make run"), "the README no longer starts with make run"
    server_log = tmp_path / "make-run.log"
    # `make run` as the README says, without reinstalling the linked virtualenv.
    make_run = ["make", "-o", ".venv/.installed", "run", f"PORT={port}"]
    with process_group(make_run, checkout, env, server_log) as server:
        wait_until_serving(server, f"http://127.0.0.1:{port}", server_log, "localhost")
        summary = server_log.read_text()
        assert f"    http://sports.localhost:{port}/\n" in summary
        assert f"Admin: http://localhost:{port}/admin/" in summary
        assert "manage.py createsuperuser" in summary

        runnable: list[tuple[int, Command]] = []
        for index, command in enumerate(commands):
            if command.block == deploy_block or command.text.startswith("make run"):
                continue
            if skip_reason(command, SKIPPED) is None:
                runnable.append((index, command))
        assert len(runnable) >= 25, [str(c) for _, c in runnable]
        script = script_of([(i, as_run_here(c, port)) for i, c in runnable])
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    check_results(runnable, result)
    # The README's `pip install -e` ran in the copy; the project's own install is untouched.
    assert environment_state(VENV) == environment_before


def test_the_production_deploy_block_leads_to_a_working_admin(checkout, tmp_path):
    environment_before = environment_state(VENV)
    commands = readme_commands()
    deploy_block = next(c.block for c in commands if DEPLOY_MARKER in c.text)
    block = [c for c in commands if c.block == deploy_block]
    assert block[-1].text.startswith("python -m config.serve")
    port = free_port()
    with scratch_database(tmp_path) as database_url:
        lines = ["set -ex"]
        for command in block:
            if skip_reason(command, DEPLOY_SKIPPED):
                continue
            text = command.text
            if text.startswith("export DATABASE_URL="):
                text = f"export DATABASE_URL={database_url}"
            elif "manage.py createsuperuser" in text:
                text = "python manage.py createsuperuser --noinput --username admin --email a@b.cd"
            elif text.startswith("python -m config.serve"):
                text = f"exec {text}"
            lines.append(text)
        env = newcomer_env(None)
        env.update(
            PATH=f"{checkout / '.venv' / 'bin'}{os.pathsep}{env['PATH']}",
            PORT=str(port),
            WEB_CONCURRENCY="1",
            DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        )
        log = tmp_path / "deploy.log"
        script = "\n".join(lines) + "\n"
        with process_group(["bash", "-c", script], checkout, env, log) as server:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(server, base, log, "todo.example.com")
            output = log.read_text()
            assert "todo.example.com now serves todo" in output, output
            signed_in = sign_in_to_admin(base, "todo.example.com")
            assert "Site administration" in signed_in, signed_in[:2000]
    assert environment_state(VENV) == environment_before


def sign_in_to_admin(base: str, host: str) -> str:
    """Signs in at https://host/admin/ through the proxy the README describes; the index page."""
    # The proxy terminates TLS and says so; cookies are Secure, so they are sent by hand.
    proxy = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    login = requests.get(f"{base}/admin/login/", headers=proxy, timeout=30)
    assert login.status_code == 200, login.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    posted = requests.post(
        f"{base}/admin/login/?next=/admin/",
        headers={
            **proxy,
            "Origin": f"https://{host}",
            "Referer": f"https://{host}/admin/login/",
            "Cookie": f"csrftoken={login.cookies['csrftoken']}",
        },
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": ADMIN_PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302, posted.text[:2000]
    index = requests.get(
        f"{base}/admin/",
        headers={**proxy, "Cookie": f"sessionid={posted.cookies['sessionid']}"},
        timeout=30,
    )
    assert index.status_code == 200
    return index.text
