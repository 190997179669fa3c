"""The five Sport Stats operations, their filters, pagination and bad parameters."""

import pytest


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["data"]]


def walk(client, path: str) -> list[int]:
    """Follows meta.next_cursor to the end and returns every id seen."""
    seen, cursor = [], None
    for _ in range(100):
        sep = "&" if "?" in path else "?"
        url = path if cursor is None else f"{path}{sep}cursor={cursor}"
        body = client.get(url).json()
        seen.extend(row["id"] for row in body["data"])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination never ended")


# --- getTeams -----------------------------------------------------------------------------------


def test_teams_lists_every_team_in_balldontlie_shape(sports, league):
    response = sports.get("/teams")
    assert ids(response) == [2, 14, 16]
    body = response.json()
    assert body["data"][0] == {
        "id": 2,
        "abbreviation": "BOS",
        "city": "Boston",
        "conference": "East",
        "division": "Atlantic",
        "full_name": "Boston Celtics",
        "name": "Celtics",
    }
    assert body["meta"] == {"total": 3}


# --- getPlayers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("davis", [1, 4]),  # last name of one, first name of the other
        ("DAVIS", [1, 4]),  # case-insensitive
        ("avi", [1, 4]),  # substring
        ("anthony davis", [1]),  # full name
        ("lebron j", [2]),
        ("butler", [5]),
        ("nobody at all", []),
        ("%", []),  # LIKE wildcards are escaped, not interpreted
        ("_", []),
    ],
)
def test_players_query_matches_first_last_or_full_name(sports, league, query, expected):
    assert ids(sports.get("/players", {"query": query})) == expected


def test_players_without_query_lists_all_with_their_team(sports, league):
    body = sports.get("/players").json()
    assert [p["id"] for p in body["data"]] == [1, 2, 3, 4, 5, 6]
    davis = body["data"][0]
    assert davis["team"]["abbreviation"] == "LAL"
    assert davis["demo"] is False
    assert body["data"][5]["team"] is None
    assert body["meta"] == {"next_cursor": None, "per_page": 25}


def test_players_pagination_walks_to_the_end(sports, league):
    first = sports.get("/players?per_page=4").json()
    assert [p["id"] for p in first["data"]] == [1, 2, 3, 4]
    assert first["meta"] == {"next_cursor": 4, "per_page": 4}
    last = sports.get("/players?per_page=4&cursor=4").json()
    assert [p["id"] for p in last["data"]] == [5, 6]
    assert last["meta"]["next_cursor"] is None
    assert walk(sports, "/players?limit=1") == [1, 2, 3, 4, 5, 6]


def test_exact_last_page_has_no_next_cursor(sports, league):
    body = sports.get("/players?per_page=6").json()
    assert len(body["data"]) == 6
    assert body["meta"]["next_cursor"] is None


def test_cursor_past_the_end_gives_an_empty_page(sports, league):
    body = sports.get("/players?cursor=999").json()
    assert body == {"data": [], "meta": {"next_cursor": None, "per_page": 25}}


@pytest.mark.parametrize("name", ["limit", "per_page"])
def test_limit_and_per_page_are_capped_at_100(sports, league, name):
    assert sports.get(f"/stats?{name}=100").json()["meta"]["per_page"] == 100
    for size in ("101", "9223372036854775807", "99999999999999999999999"):
        response = sports.get(f"/stats?{name}={size}")
        assert response.status_code == 400
        assert list(response.json()["fields"]) == [name]


# --- getGames -----------------------------------------------------------------------------------


def test_games_embed_both_teams(sports, league):
    game = sports.get("/games?per_page=1").json()["data"][0]
    assert game["id"] == 10
    assert game["date"] == "2022-11-01"
    assert game["season"] == 2022
    assert game["home_team"]["abbreviation"] == "BOS"
    assert game["visitor_team"]["abbreviation"] == "LAL"
    assert (game["home_team_score"], game["visitor_team_score"]) == (110, 100)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [10, 11, 12, 20, 21, 30]),
        ("seasons=2022", [10, 11, 12]),
        ("seasons=2022&seasons=2023", [10, 11, 12, 20, 21]),
        ("seasons[]=2022&seasons[]=2023", [10, 11, 12, 20, 21]),
        ("seasons=2022&seasons[]=2023", [10, 11, 12, 20, 21]),
        ("team_ids=16", [11, 12, 20]),  # home or visitor
        ("team_ids[]=16&team_ids[]=14", [10, 11, 12, 20, 21, 30]),
        ("team_ids=2&team_ids=2", [10, 11, 12, 21, 30]),
        ("start_date=2023-01-15", [11, 12, 20, 21, 30]),  # inclusive
        ("end_date=2023-01-15", [10, 11]),  # inclusive
        ("start_date=2023-01-01&end_date=2023-12-31", [11, 12, 20]),
        ("seasons[]=2023&team_ids[]=16", [20]),
        ("seasons=1999", []),
    ],
)
def test_games_filters(sports, league, query, expected):
    assert walk(sports, f"/games?{query}&per_page=2") == expected


# --- getStats -----------------------------------------------------------------------------------


def test_stats_embed_player_team_and_game_with_season(sports, league):
    stat = league.stats[0]
    row = sports.get("/stats?per_page=1").json()["data"][0]
    assert row["id"] == stat.id
    assert row["pts"] == stat.pts
    assert row["min"] == f"{stat.seconds // 60:02d}:{stat.seconds % 60:02d}"
    assert row["fg_pct"] == round(stat.fgm / stat.fga, 3)
    assert row["player"]["id"] == stat.player_id
    assert row["player"]["team_id"] == stat.player.team_id
    assert row["team"]["id"] == stat.team_id
    assert row["game"]["id"] == stat.game_id
    assert row["game"]["season"] == stat.game.season
    assert row["game"]["home_team_id"] == stat.game.home_team_id


def expected_stats(league, pred) -> list[int]:
    return sorted(s.id for s in league.stats if pred(s))


@pytest.mark.parametrize(
    ("query", "pred"),
    [
        ("player_ids=1", lambda s: s.player_id == 1),
        ("player_ids=1&player_ids=3", lambda s: s.player_id in (1, 3)),
        ("player_ids[]=1&player_ids[]=3", lambda s: s.player_id in (1, 3)),
        ("game_ids=10", lambda s: s.game_id == 10),
        ("game_ids[]=10&game_ids[]=20", lambda s: s.game_id in (10, 20)),
        ("seasons=2023", lambda s: s.season == 2023),
        ("seasons[]=2022&seasons[]=2023", lambda s: s.season in (2022, 2023)),
        ("start_date=2023-04-20", lambda s: s.date.isoformat() >= "2023-04-20"),
        ("end_date=2023-04-20", lambda s: s.date.isoformat() <= "2023-04-20"),
        (
            "player_ids=4&seasons=2022&start_date=2023-01-01&end_date=2023-01-31",
            lambda s: s.player_id == 4 and s.game_id == 11,
        ),
        ("player_ids=6", lambda s: False),
    ],
)
def test_stats_filters(sports, league, query, pred):
    assert walk(sports, f"/stats?{query}&per_page=3") == expected_stats(league, pred)


def test_stats_unfiltered_walk_returns_every_row_once(sports, league):
    assert walk(sports, "/stats?per_page=7") == sorted(s.id for s in league.stats)


# --- getSeasonAverages --------------------------------------------------------------------------


def mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 2)


@pytest.mark.parametrize("season", [2022, 2023])
def test_season_averages_equal_the_mean_of_the_rows(sports, league, season):
    response = sports.get(f"/season_averages?season={season}&player_ids=1&player_ids[]=2")
    assert response.status_code == 200
    rows = {r["player_id"]: r for r in response.json()["data"]}
    assert set(rows) == {1, 2}
    for pid, row in rows.items():
        # Regular season only, and only the games the player took the floor in.
        played = [
            s
            for s in league.stats
            if s.player_id == pid and s.season == season and not s.postseason and s.seconds
        ]
        assert row["season"] == season
        assert row["games_played"] == len(played)
        for name in ["pts", "reb", "ast", "stl", "blk", "turnover", "fgm", "fga", "pf"]:
            assert row[name] == mean(getattr(s, name) for s in played), name
        avg_seconds = round(sum(s.seconds for s in played) / len(played))
        assert row["min"] == f"{avg_seconds // 60:02d}:{avg_seconds % 60:02d}"
        assert row["fg_pct"] == round(sum(s.fgm for s in played) / sum(s.fga for s in played), 3)
        assert row["ft_pct"] == round(sum(s.ftm for s in played) / sum(s.fta for s in played), 3)
        assert row["fg3_pct"] == round(sum(s.fg3m for s in played) / sum(s.fg3a for s in played), 3)


def test_season_averages_skip_postseason_and_zero_minute_games(sports, league):
    # Tatum (3) played 2022 games 10, 11 (regular) and 12 (postseason).
    row = sports.get("/season_averages?season=2022&player_ids=3").json()["data"][0]
    assert row["games_played"] == 2
    # LeBron (2) sat out game 21 in 2023: one game played, not two.
    row = sports.get("/season_averages?season=2023&player_ids=2").json()["data"][0]
    assert row["games_played"] == 1


def test_season_averages_default_to_the_current_season(sports, league):
    body = sports.get("/season_averages?player_ids=1").json()
    assert body["meta"] == {"season": league.current}
    assert [r["season"] for r in body["data"]] == [league.current]
    assert body["data"][0]["games_played"] == 1


def test_season_averages_of_unknown_players_are_empty(sports, league):
    assert sports.get("/season_averages?season=2022&player_ids=777").json()["data"] == []


def test_season_averages_need_player_ids(sports, league):
    response = sports.get("/season_averages?season=2022")
    assert response.status_code == 400
    assert "player_ids" in response.json()["fields"]


# --- Bad parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/stats?limit=-1", "limit"),
        ("/stats?limit=0", "limit"),
        ("/stats?limit=abc", "limit"),
        ("/games?per_page=1.5", "per_page"),
        ("/games?per_page=%00", "per_page"),
        ("/players?cursor=-5", "cursor"),
        ("/players?cursor=1e3", "cursor"),
        ("/players?cursor=99999999999999999999", "cursor"),
        ("/players?query=%00", "query"),
        ("/players?query=ab%01cd", "query"),
        ("/players?query=" + "x" * 101, "query"),
        ("/stats?player_ids=abc", "player_ids"),
        ("/stats?player_ids[]=1x", "player_ids"),
        ("/stats?player_ids=99999999999999999999", "player_ids"),
        ("/stats?player_ids=-1", "player_ids"),
        ("/stats?player_ids=%00", "player_ids"),
        ("/stats?game_ids=%D9%A1%D9%A2", "game_ids"),  # Arabic-Indic digits: int() takes them
        ("/stats?game_ids=1_000", "game_ids"),
        ("/stats?seasons=20x", "seasons"),
        ("/stats?" + "&".join(f"player_ids={i}" for i in range(1, 102)), "player_ids"),
        ("/games?seasons[]=1800", "seasons"),
        ("/games?seasons=99999999999999999999", "seasons"),
        ("/games?team_ids=%00", "team_ids"),
        ("/games?start_date=2020-02-30", "start_date"),
        ("/games?start_date=yesterday", "start_date"),
        ("/games?end_date=2020-1-1", "end_date"),
        ("/stats?end_date=%00", "end_date"),
        ("/games?start_date=2021-01-01&start_date=2021-01-02", "start_date"),
        ("/season_averages?season=abc&player_ids=1", "season"),
        ("/season_averages?season=99999999999999999999&player_ids=1", "season"),
        ("/season_averages?season=2022&player_ids=99999999999999999999", "player_ids"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(sports, league, path, param):
    response = sports.get(path)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "invalid"
    assert list(body["fields"]) == [param]
    assert param in body["detail"]


def test_unknown_parameters_are_ignored(sports, league):
    # The seed sent page=0; it is harmless.
    assert sports.get("/teams?page=0").status_code == 200


# --- Shape and cost -----------------------------------------------------------------------------


TEAM_FIELDS = ["id", "abbreviation", "city", "conference", "division", "full_name", "name"]
PLAYER_FIELDS = [
    "id", "first_name", "last_name", "position", "height", "weight", "jersey_number", "demo",
]  # fmt: skip
GAME_FIELDS = [
    "id", "season", "status", "period", "time", "date", "postseason", "home_team_score",
    "visitor_team_score", "demo",
]  # fmt: skip
BOX_SCORE_FIELDS = [
    "id", "min", "pts", "reb", "ast", "stl", "blk", "turnover", "fgm", "fga", "fg_pct", "fg3m",
    "fg3a", "fg3_pct", "ftm", "fta", "ft_pct", "oreb", "dreb", "pf",
]  # fmt: skip
AVERAGE_FIELDS = [
    "player_id", "season", "games_played", "min", "pts", "reb", "ast", "stl", "blk",
    "turnover", "pf", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "fg_pct",
    "fg3_pct", "ft_pct",
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "fields", "nested"),
    [
        ("/teams", TEAM_FIELDS, {}),
        ("/players", PLAYER_FIELDS, {"team": TEAM_FIELDS}),
        ("/games", GAME_FIELDS, {"home_team": TEAM_FIELDS, "visitor_team": TEAM_FIELDS}),
        (
            "/stats",
            BOX_SCORE_FIELDS,
            {
                "player": [*PLAYER_FIELDS, "team_id"],
                "team": TEAM_FIELDS,
                "game": [*GAME_FIELDS, "home_team_id", "visitor_team_id"],
            },
        ),
        ("/season_averages?season=2022&player_ids=1", AVERAGE_FIELDS, {}),
    ],
)
def test_responses_have_exactly_the_documented_fields(sports, league, path, fields, nested):
    row = sports.get(path).json()["data"][0]
    assert set(row) == {*fields, *nested}
    for name, nested_fields in nested.items():
        assert set(row[name]) == set(nested_fields), name


@pytest.mark.parametrize(
    "path",
    [
        "/teams",
        "/players?query=a&per_page=100",
        "/games?seasons=2022&team_ids=2&per_page=100",
        "/stats?player_ids=1&player_ids=2&seasons=2022&start_date=2020-01-01&per_page=100",
        "/season_averages?season=2022&player_ids=1&player_ids=2&player_ids=3",
    ],
)
def test_each_request_costs_one_query(sports, league, path, django_assert_max_num_queries):
    sports.get("/teams")  # resolves and caches the host's plugin
    with django_assert_max_num_queries(1):
        assert sports.get(path).status_code == 200


@pytest.mark.parametrize(
    ("day", "season"),
    [("2026-11-27", 2026), ("2026-10-01", 2026), ("2026-09-30", 2025), ("2027-04-01", 2026)],
)
def test_current_season_begins_in_october(day, season):
    import datetime

    from sportstats.selectors import current_season

    assert current_season(datetime.date.fromisoformat(day)) == season
