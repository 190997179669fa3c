"""import_sportstats, load_sportstats_demo and generate_sportstats."""

import json

import pytest
from django.core.management import CommandError, call_command

from sportstats.models import Game, Player, Stat, Team
from sportstats.records import ImportDataError, parse_minutes

CELTICS = {
    "id": 2, "abbreviation": "BOS", "city": "Boston", "conference": "East",
    "division": "Atlantic", "full_name": "Boston Celtics", "name": "Celtics",
}  # fmt: skip
LAKERS = {
    "id": 14, "abbreviation": "LAL", "city": "Los Angeles", "conference": "West",
    "division": "Pacific", "full_name": "Los Angeles Lakers", "name": "Lakers",
}  # fmt: skip


def balldontlie_document() -> dict:
    """The shapes balldontlie v1 returns: embedded relations, ISO datetimes, "min" strings."""
    return {
        "teams": {"data": [CELTICS, LAKERS]},
        "players": [
            {
                "id": 237,
                "first_name": "LeBron",
                "last_name": "James",
                "position": "F",
                "height_feet": 6,
                "height_inches": 8,
                "weight_pounds": 250,
                "team": LAKERS,
            },
        ],
        "games": [
            {
                "id": 47179,
                "date": "2019-01-30T00:00:00.000Z",
                "season": 2018,
                "status": "Final",
                "period": 4,
                "time": " ",
                "postseason": False,
                "home_team": CELTICS,
                "home_team_score": 126,
                "visitor_team": LAKERS,
                "visitor_team_score": 94,
            },
        ],
        "stats": [
            {
                "id": 1,
                "min": "32:10",
                "pts": 27,
                "reb": 8,
                "ast": 9,
                "stl": 1,
                "blk": 0,
                "turnover": 3,
                "fgm": 10,
                "fga": 20,
                "fg3m": 2,
                "fg3a": 6,
                "ftm": 5,
                "fta": 7,
                "oreb": 1,
                "dreb": 7,
                "pf": 2,
                "player": {
                    "id": 237,
                    "first_name": "LeBron",
                    "last_name": "James",
                    "position": "F",
                    "team_id": 14,
                },
                "team": LAKERS,
                "game": {
                    "id": 47179,
                    "date": "2019-01-30T00:00:00.000Z",
                    "season": 2018,
                    "home_team_id": 2,
                    "visitor_team_id": 14,
                    "postseason": False,
                },
            },
            {
                # A newcomer only known from this box score, and a DNP with nulls.
                "id": 2,
                "min": None,
                "pts": None,
                "reb": None,
                "ast": None,
                "player": {"id": 999, "first_name": "Rookie", "last_name": "Guy", "team_id": 2},
                "team_id": 2,
                "game_id": 47179,
            },
        ],
    }


@pytest.fixture
def import_file(tmp_path):
    def write(document, name="data.json"):
        path = tmp_path / name
        path.write_text(json.dumps(document))
        return str(path)

    return write


def snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("id").values())
        for model in (Team, Player, Game, Stat)
    }


@pytest.mark.django_db
def test_import_reads_balldontlie_json_and_is_idempotent(import_file):
    path = import_file(balldontlie_document())
    call_command("import_sportstats", path, verbosity=0)
    first = snapshot()
    call_command("import_sportstats", path, verbosity=0)
    assert snapshot() == first
    assert [len(first[m]) for m in ("Team", "Player", "Game", "Stat")] == [2, 2, 1, 2]

    lebron = Player.objects.get(id=237)
    assert (lebron.height, lebron.weight, lebron.team_id) == ("6-8", "250", 14)
    stat = Stat.objects.get(id=1)
    assert stat.seconds == 32 * 60 + 10
    # Season, date and postseason are copied from the game onto the stat.
    assert (stat.season, stat.date.isoformat(), stat.postseason) == (2018, "2019-01-30", False)
    dnp = Stat.objects.get(id=2)
    assert (dnp.seconds, dnp.pts, dnp.player.first_name) == (0, 0, "Rookie")


@pytest.mark.django_db
def test_import_upserts_changed_records_by_id(import_file):
    document = balldontlie_document()
    call_command("import_sportstats", import_file(document), verbosity=0)
    document["stats"][0]["pts"] = 31
    document["teams"]["data"][0]["full_name"] = "Boston Green"
    call_command("import_sportstats", import_file(document, "v2.json"), verbosity=0)
    assert Stat.objects.get(id=1).pts == 31
    assert Team.objects.get(id=2).full_name == "Boston Green"
    assert Stat.objects.count() == 2


@pytest.mark.django_db
def test_a_moved_game_moves_its_stats(import_file):
    document = balldontlie_document()
    call_command("import_sportstats", import_file(document), verbosity=0)
    moved = {**document["games"][0], "date": "2019-04-20", "postseason": True}
    call_command("import_sportstats", import_file({"games": [moved]}, "g.json"), verbosity=0)
    moved_stats = Stat.objects.order_by("id").values_list("id", "date", "postseason")
    assert [(i, date.isoformat(), post) for i, date, post in moved_stats] == [
        (1, "2019-04-20", True),
        (2, "2019-04-20", True),
    ]


@pytest.mark.django_db
def test_imported_data_is_served(import_file, sports):
    call_command("import_sportstats", import_file(balldontlie_document()), verbosity=0)
    row = sports.get("/stats?player_ids[]=237").json()["data"][0]
    assert (row["min"], row["pts"], row["game"]["season"]) == ("32:10", 27, 2018)
    averages = sports.get("/season_averages?season=2018&player_ids=237").json()["data"]
    assert averages[0]["pts"] == 27.0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid JSON"),
        ([1, 2], "JSON object"),
        ({"teams": [CELTICS], "extra": []}, "Unknown top-level keys: extra"),
        ({"teams": "nope"}, "teams must be a list"),
        ({"players": [{"id": 1, "first_name": "A", "team_id": 77}]}, "unknown team ids: 77"),
        ({"stats": [{"id": 1, "player_id": 1, "team_id": 2, "game_id": 5}]}, "game 5"),
        ({"teams": [{**CELTICS, "id": "x"}]}, "id 'x' is not an integer"),
        ({"teams": [{**CELTICS, "name": "x" * 101}]}, "name is longer than 100 .* team id=2"),
        ({"teams": [{**CELTICS, "full_name": "x" * 151}]}, "full_name is longer than 150"),
        (
            {"teams": [CELTICS], "games": [{"id": 1, "date": "soon", "season": 2020,
                                            "home_team_id": 2, "visitor_team_id": 2}]},
            "date 'soon'",
        ),
    ],
)  # fmt: skip
def test_import_refuses_bad_files_and_writes_nothing(import_file, document, message):
    path = import_file(document) if not isinstance(document, str) else None
    if path is None:
        path = import_file({})
        with open(path, "w") as handle:
            handle.write(document)
    with pytest.raises(CommandError, match=message):
        call_command("import_sportstats", path, verbosity=0)
    assert not Team.objects.exists() and not Player.objects.exists()


def test_import_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_sportstats", str(tmp_path / "nope.json"), verbosity=0)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("32:10", 1930), ("32", 1920), ("0:45", 45), (32, 1920), ("", 0), (None, 0), ("7.0", 420)],
)
def test_parse_minutes(value, seconds):
    assert parse_minutes(value) == seconds


@pytest.mark.parametrize("value", ["abc", "32:1:0", "-3"])
def test_parse_minutes_refuses_nonsense(value):
    with pytest.raises(ImportDataError):
        parse_minutes(value)


# --- Demo and synthetic data --------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_loader_is_idempotent_and_labelled(sports):
    call_command("load_sportstats_demo", verbosity=0)
    counts = {m.__name__: m.objects.count() for m in (Team, Player, Game, Stat)}
    first_stats = list(Stat.objects.order_by("id").values_list("id", "pts", "seconds")[:500])
    call_command("load_sportstats_demo", verbosity=0)
    assert {m.__name__: m.objects.count() for m in (Team, Player, Game, Stat)} == counts
    assert list(Stat.objects.order_by("id").values_list("id", "pts", "seconds")[:500]) == (
        first_stats
    )
    assert counts["Team"] == 30 and counts["Stat"] > 1000
    assert Team.objects.get(id=14).full_name == "Los Angeles Lakers"
    assert not Player.objects.filter(demo=False).exists()
    player = sports.get("/players?per_page=1").json()["data"][0]
    assert player["demo"] is True
    # The current season has games, so the default season of the averages is not empty.
    assert sports.get("/season_averages?player_ids=1").json()["data"]
    game = Game.objects.order_by("id").first()
    home = sum(game.stats.filter(team_id=game.home_team_id).values_list("pts", flat=True))
    assert home == game.home_team_score > 0


@pytest.mark.django_db
def test_setup_demo_loads_the_sports_demo():
    call_command("setup_demo", verbosity=0)
    assert Stat.objects.exists()


@pytest.mark.django_db
def test_generate_builds_the_requested_league():
    call_command(
        "generate_sportstats", players=60, seasons=2, games_per_team=4, last_season=2020,
        verbosity=0,
    )  # fmt: skip
    # 2 seasons x 15 games a round x 4 rounds, 2 players a team on each side.
    assert Game.objects.count() == 2 * 15 * 4
    assert Stat.objects.count() == 2 * 15 * 4 * 2 * 2
    assert set(Stat.objects.values_list("season", flat=True).distinct()) == {2019, 2020}
    assert Player.objects.count() == 60
    assert Team.objects.count() == 30
    for team in Team.objects.all():
        games = Game.objects.filter(home_team=team) | Game.objects.filter(visitor_team=team)
        assert games.count() == 2 * 4


@pytest.mark.django_db
def test_generate_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="--players"):
        call_command("generate_sportstats", players=5000, verbosity=0)
