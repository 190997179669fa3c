"""Takes the screenshots of docs/mcp-apps.md: each plugin kind's MCP Apps view, in Debian's
chromium, inside the test host (tests/helpers/mcp_apps.py) on a real server with demo data.

    .venv/bin/python scripts/mcp_app_screenshots.py [--out docs/images]

Prints each file it writes; needs chromium (apt-get install chromium) and the test extras.
"""

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Only to import the test helpers in this process; the server gets a key of its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "screenshots-only-" + "x" * 40)

import django  # noqa: E402

django.setup()

from tests.conftest import NOAUTH_HOST, SPORTS_HOST  # noqa: E402
from tests.helpers.mcp_apps import (  # noqa: E402
    RETRIEVAL_HOST,
    AppsHost,
    chromium_page,
    model_call,
    with_client,
)
from tests.pluginmeta.mcp.conftest import command_output  # noqa: E402
from tests.server import migrate, running_server, server_env  # noqa: E402

WIDTH = 640
SCALE = 1.5
OWNER = "sam"
NOTES = [
    {
        "id": "handbook-leave",
        "text": "Annual leave: every employee has 25 days a year. Ask your manager at least two "
        "weeks ahead; unused days carry over until the end of March.",
        "metadata": {
            "title": "Employee handbook: annual leave",
            "url": "https://intranet.example.com/handbook/leave",
            "source": "file",
            "author": "People team",
            "created_at": "2026-01-15",
        },
    },
    {
        "id": "mail-leave-dates",
        "text": "Reminder: leave requests for the summer weeks close on 30 April.",
        "metadata": {"title": "Summer leave requests", "source": "email", "author": "HR desk"},
    },
]


def shoot(page, host: AppsHost, shown, path: Path, ready: str) -> None:
    frame = host.show(page, shown)
    frame.locator(ready).first.wait_for()
    page.locator("#sandbox").screenshot(path=path)
    print(path)


def main() -> None:
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # a line per request otherwise
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "images")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aips-shots-") as folder:
        env = server_env(f"sqlite:///{folder}/docs.sqlite3", API_THROTTLE_RATE="off")
        migrate(env)
        command_output(env, "load_sportstats_demo")
        key = command_output(env, "plugin_user_key", "alice", "--host", RETRIEVAL_HOST)
        keyed = {"Authorization": f"Bearer {key}"}
        with running_server(env, workers=1, output=Path(folder) / "server.log") as base:
            port = base.rsplit(":", 1)[1]

            def mcp(host: str) -> str:
                return f"http://{host}:{port}/mcp"

            for todo in ("Book the dentist", "Renew the passport"):
                model_call(mcp(NOAUTH_HOST), {}, "addTodo", {"username": OWNER, "todo": todo})
            todo = model_call(
                mcp(NOAUTH_HOST), {}, "addTodo", {"username": OWNER, "todo": "Water the plants"}
            )
            games = model_call(mcp(SPORTS_HOST), {}, "getGames", {"per_page": 1})
            opener = games.tool_result["structuredContent"]["data"][0]
            stats = model_call(
                mcp(SPORTS_HOST), {}, "getStats", {"game_ids": [opener["id"]], "per_page": 1}
            )
            player = stats.tool_result["structuredContent"]["data"][0]["player"]
            averages = model_call(
                mcp(SPORTS_HOST),
                {},
                "getSeasonAverages",
                {"player_ids": [player["id"]], "season": opener["season"]},
            )
            with_client(
                mcp(RETRIEVAL_HOST), keyed, lambda c: c.call_tool("upsert", {"documents": NOTES})
            )
            question = {"queries": [{"query": "annual leave", "top_k": 3}]}
            query = model_call(mcp(RETRIEVAL_HOST), keyed, "query", question)

            with chromium_page(width=WIDTH, scale=SCALE) as page:
                with AppsHost(mcp(NOAUTH_HOST), {}) as host:
                    shoot(page, host, todo, out / "mcp-app-todo.png", "#todos li.fresh")
                with AppsHost(mcp(SPORTS_HOST), {}) as host:
                    shoot(page, host, averages, out / "mcp-app-sportstats.png", "#table tbody tr")
                with AppsHost(mcp(RETRIEVAL_HOST), keyed) as host:
                    shoot(page, host, query, out / "mcp-app-retrieval.png", "#hits li")
                    frame = page.frame_locator("#sandbox").frame_locator("iframe")
                    frame.locator("#hits .hit-title").first.click()
                    frame.locator("#document-text").wait_for()
                    path = out / "mcp-app-retrieval-document.png"
                    page.locator("#sandbox").screenshot(path=path)
                    print(path)


if __name__ == "__main__":
    main()
