"""A stand-in for the balldontlie API, served by the test on a local port."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

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
