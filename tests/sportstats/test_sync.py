"""sync_sportstats against a fake balldontlie server running on 127.0.0.1 in a thread."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from sportstats.models import Game, Player, Stat, Team

TEAMS = [
    {"id": i, "abbreviation": abbr, "city": city, "conference": "East", "division": "Atlantic",
     "full_name": f"{city} {name}", "name": name}
    for i, abbr, city, name in [(1, "AAA", "Alpha", "Ants"), (2, "BBB", "Beta", "Bees"),
                                (3, "CCC", "Gamma", "Cats")]
]  # fmt: skip
PLAYERS = [
    {"id": 100 + i, "first_name": f"First{i}", "last_name": f"Last{i}", "position": "G",
     "team": TEAMS[i % 3]}
    for i in range(7)
]  # fmt: skip
GAMES = [
    {"id": 500 + i, "date": f"{season + (i % 2)}-0{1 + i % 9}-10T00:00:00.000Z",
     "season": season, "status": "Final", "period": 4, "time": "", "postseason": False,
     "home_team": TEAMS[i % 3], "visitor_team": TEAMS[(i + 1) % 3],
     "home_team_score": 100, "visitor_team_score": 99}
    for i, season in enumerate([2022, 2022, 2022, 2023, 2023, 2023, 2023, 2021])
]  # fmt: skip


def _stats() -> list[dict]:
    rows = []
    for game in GAMES:
        for player in PLAYERS:
            if player["team"]["id"] not in (game["home_team"]["id"], game["visitor_team"]["id"]):
                continue
            flat_game = {k: v for k, v in game.items() if k not in ("home_team", "visitor_team")}
            flat_game |= {"home_team_id": game["home_team"]["id"],
                          "visitor_team_id": game["visitor_team"]["id"]}  # fmt: skip
            rows.append({
                "id": len(rows) + 1, "min": f"{20 + len(rows) % 15}:0{len(rows) % 6}",
                "pts": 10 + len(rows) % 20, "reb": 5, "ast": 3, "fgm": 4, "fga": 9,
                "player": {**{k: v for k, v in player.items() if k != "team"},
                           "team_id": player["team"]["id"]},
                "team": player["team"], "game": flat_game,
            })  # fmt: skip
    return rows


STATS = _stats()


class FakeUpstream:
    """Serves TEAMS/PLAYERS/GAMES/STATS with cursor (v2) or page (v1) pagination.

    `script` holds responses to give before the real ones, per path: a status code, or
    ("sleep", seconds) to stall past the client's timeout, or ("body", text).
    """

    def __init__(self, paging: str = "cursor", api_key: str | None = None) -> None:
        self.paging = paging
        self.api_key = api_key
        self.script: dict[str, list] = {}
        self.requests: list[tuple[str, dict]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                upstream.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # shutdown() waits for the loop to look up, every poll_interval (0.5 s by default).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"

    def send(self, handler, status: int, body, headers: dict | None = None) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def handle(self, handler) -> None:
        url = urlparse(handler.path)
        path = url.path.removeprefix("/v1/")
        query = parse_qs(url.query)
        self.requests.append((path, query))
        if self.api_key and handler.headers.get("Authorization") != self.api_key:
            return self.send(handler, 401, {"error": "Unauthorized"})
        script = self.script.get(path)
        if script:
            step = script.pop(0)
            if isinstance(step, tuple) and step[0] == "sleep":
                time.sleep(step[1])
            elif isinstance(step, tuple) and step[0] == "body":
                return self.send(handler, 200, step[1])
            elif isinstance(step, tuple) and step[0] == "retry-after":
                return self.send(handler, 429, {}, {"Retry-After": str(step[1])})
            else:
                return self.send(handler, step, {"error": "scripted"})
        rows = {"teams": TEAMS, "players": PLAYERS, "games": GAMES, "stats": STATS}.get(path)
        if rows is None:
            return self.send(handler, 404, {"error": "not found"})
        seasons = {int(s) for s in query.get("seasons[]", [])}
        if seasons:
            rows = [
                r for r in rows if (r.get("season") or r.get("game", {}).get("season")) in seasons
            ]
        per_page = int(query.get("per_page", ["25"])[0])
        if self.paging == "cursor":
            cursor = int(query.get("cursor", ["0"])[0])
            page = [r for r in rows if r["id"] > cursor][:per_page]
            more = page and page[-1]["id"] < max(r["id"] for r in rows)
            meta = {"next_cursor": page[-1]["id"] if more else None, "per_page": per_page}
        else:
            number = int(query.get("page", ["1"])[0])
            page = rows[(number - 1) * per_page : number * per_page]
            more = number * per_page < len(rows)
            meta = {"current_page": number, "next_page": number + 1 if more else None}
        return self.send(handler, 200, {"data": page, "meta": meta})

    def __enter__(self) -> "FakeUpstream":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream():
    with FakeUpstream() as server:
        yield server


def run_sync(server: FakeUpstream, *extra: str) -> None:
    call_command(
        "sync_sportstats", "--base-url", server.url, "--per-page", "3", "--backoff", "0",
        "--seasons", "2022", "2023", *extra, verbosity=0,
    )  # fmt: skip


def expected_stats(seasons=(2022, 2023)) -> set[int]:
    return {s["id"] for s in STATS if s["game"]["season"] in seasons}


@pytest.mark.django_db
def test_sync_pulls_every_page_and_is_idempotent(upstream, sports):
    run_sync(upstream)
    assert set(Team.objects.values_list("id", flat=True)) == {1, 2, 3}
    assert Player.objects.count() == len(PLAYERS)
    assert set(Game.objects.values_list("season", flat=True)) == {2022, 2023}
    assert set(Stat.objects.values_list("id", flat=True)) == expected_stats()
    # Pagination really happened: several stats requests, each after the first with a cursor.
    stats_requests = [q for p, q in upstream.requests if p == "stats"]
    assert len(stats_requests) == -(-len(expected_stats()) // 3)
    assert all("cursor" in q for q in stats_requests[1:])
    assert stats_requests[0]["seasons[]"] == ["2022", "2023"]

    before = list(Stat.objects.order_by("id").values())
    run_sync(upstream)
    assert list(Stat.objects.order_by("id").values()) == before
    # And the synced data is served.
    row = sports.get(f"/stats?player_ids={PLAYERS[0]['id']}&per_page=1").json()["data"][0]
    assert row["player"]["first_name"] == "First0"


@pytest.mark.django_db
def test_sync_follows_v1_page_numbers():
    with FakeUpstream(paging="page") as server:
        run_sync(server)
    assert set(Stat.objects.values_list("id", flat=True)) == expected_stats()
    assert any("page" in q for p, q in server.requests if p == "players")


@pytest.mark.django_db
def test_sync_sends_the_api_key():
    with FakeUpstream(api_key="s3cret") as server:
        run_sync(server, "--api-key", "s3cret")
    assert Team.objects.count() == 3


@pytest.mark.django_db
def test_sync_stops_at_once_on_an_auth_failure():
    with (
        FakeUpstream(api_key="s3cret") as server,
        pytest.raises(CommandError, match=r"HTTP 401.*--api-key"),
    ):
        run_sync(server, "--api-key", "wrong")
    assert len(server.requests) == 1  # no retries: the key will not get better
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_sync_retries_429_and_5xx(upstream):
    upstream.script["teams"] = [503, 500, ("retry-after", 0)]
    upstream.script["stats"] = [502]
    run_sync(upstream)
    assert [p for p, _ in upstream.requests].count("teams") == 4
    assert set(Stat.objects.values_list("id", flat=True)) == expected_stats()


@pytest.mark.django_db
def test_sync_gives_up_after_its_retries(upstream):
    upstream.script["players"] = [500] * 10
    with pytest.raises(CommandError, match=r"GET players failed after 3 attempts \(HTTP 500\)"):
        run_sync(upstream, "--retries", "2")
    assert [p for p, _ in upstream.requests].count("players") == 3
    # What came before the failure is kept.
    assert Team.objects.count() == 3


@pytest.mark.django_db
def test_sync_times_out_instead_of_hanging(upstream):
    upstream.script["teams"] = [("sleep", 1.0), ("sleep", 1.0)]
    started = time.monotonic()
    with pytest.raises(CommandError, match="timed out"):
        run_sync(upstream, "--timeout", "0.2", "--retries", "1")
    assert time.monotonic() - started < 1.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "message"),
    [
        (404, "HTTP 404"),
        (("body", "<html>oops</html>"), "did not answer JSON"),
        (("body", '{"items": []}'), "did not answer"),
    ],
)
def test_sync_reports_unusable_answers(upstream, step, message):
    upstream.script["teams"] = [step]
    with pytest.raises(CommandError, match=message):
        run_sync(upstream)


@pytest.mark.django_db
def test_sync_reports_an_unreachable_server():
    with FakeUpstream() as server:
        url = server.url
    with pytest.raises(CommandError, match="network error"):
        call_command(
            "sync_sportstats", "--base-url", url, "--retries", "1", "--backoff", "0",
            verbosity=0,
        )  # fmt: skip


def test_sync_needs_an_http_url():
    with pytest.raises(CommandError, match="--base-url"):
        call_command("sync_sportstats", "--base-url", "ftp://x", verbosity=0)
