"""import_sportstats never damages good data: each case runs the command as its own process."""

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from tests.server import PROJECT_DIR, migrate, scratch_database, server_env

LAKERS = {
    "id": 14, "abbreviation": "LAL", "city": "Los Angeles", "conference": "West",
    "division": "Pacific", "full_name": "Los Angeles Lakers", "name": "Lakers",
}  # fmt: skip
CELTICS = {
    "id": 2, "abbreviation": "BOS", "city": "Boston", "conference": "East",
    "division": "Atlantic", "full_name": "Boston Celtics", "name": "Celtics",
}  # fmt: skip
LEBRON = {
    "id": 237, "first_name": "LeBron", "last_name": "James", "position": "F",
    "height": "6-9", "weight": "250", "jersey_number": "23", "team_id": 14,
}  # fmt: skip
GAME = {
    "id": 47179, "date": "2019-01-30", "season": 2018, "status": "Final", "period": 4,
    "time": " ", "postseason": False, "home_team_id": 2, "home_team_score": 126,
    "visitor_team_id": 14, "visitor_team_score": 94,
}  # fmt: skip
STAT = {"id": 1, "min": "32:10", "pts": 27, "reb": 8, "ast": 9, "oreb": 1,
        "player_id": 237, "team_id": 14, "game_id": 47179}  # fmt: skip
SEED = {"teams": [CELTICS, LAKERS], "players": [LEBRON], "games": [GAME], "stats": [STAT]}

TABLES = {"Team": "sportstats_team", "Player": "sportstats_player",
          "Game": "sportstats_game", "Stat": "sportstats_stat"}  # fmt: skip


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A migrated database of its own holding SEED; yields the environment that reaches it."""
    with scratch_database(tmp_path_factory.mktemp("import")) as database_url:
        env = server_env(database_url)
        migrate(env)
        seed = tmp_path_factory.mktemp("seed") / "seed.json"
        seed.write_text(json.dumps(SEED))
        assert run_import(env, seed).returncode == 0
        yield env


def run_import(env: dict[str, str], *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "import_sportstats", *map(str, paths)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(env: dict[str, str]) -> dict:
    """Every row of the four tables, read straight from the command's database."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        connection = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
    with closing(connection):
        cursor = connection.cursor()
        data = {}
        for model, table in TABLES.items():
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed names
            columns = [column[0] for column in cursor.description]
            data[model] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return data


def write(tmp_path: Path, document, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def assert_refused(env: dict[str, str], paths: list[Path], *fragments: str) -> None:
    """The command fails with a one-line CommandError naming the record, and writes nothing."""
    before = snapshot(env)
    result = run_import(env, *paths)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("CommandError: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "upserted" not in result.stdout
    assert snapshot(env) == before


def rows(data: dict, model: str) -> dict[int, dict]:
    return {row["id"]: row for row in data[model]}


# --- Partial embedded records only refer to existing rows ---------------------------------------


def test_a_team_embedded_by_id_only_is_a_reference_and_keeps_the_team(database, tmp_path):
    before = snapshot(database)
    game = {**GAME, "id": 47180, "home_team": {"id": 14}, "visitor_team": {"id": 2}}
    del game["home_team_id"], game["visitor_team_id"]
    result = run_import(database, write(tmp_path, {"games": [game]}))
    assert result.returncode == 0, result.stderr
    after = snapshot(database)
    assert rows(after, "Team") == rows(before, "Team")
    assert rows(after, "Game")[47180]["home_team_id"] == 14


def test_a_partly_embedded_player_changes_only_what_it_gives(database, tmp_path):
    before = snapshot(database)
    stat = {**STAT, "player": {"id": 237, "position": "F-G"}}
    del stat["player_id"]
    result = run_import(database, write(tmp_path, {"stats": [stat]}))
    assert result.returncode == 0, result.stderr
    lebron = rows(snapshot(database), "Player")[237]
    assert lebron == {**rows(before, "Player")[237], "position": "F-G"}


def test_a_partial_record_in_its_own_list_changes_only_what_it_gives(database, tmp_path):
    before = snapshot(database)
    document = {"teams": [{"id": 2, "city": "Boston, MA"}], "stats": [{"id": 1, "pts": 30,
                "player_id": 237, "team_id": 14, "game_id": 47179}]}  # fmt: skip
    result = run_import(database, write(tmp_path, document))
    assert result.returncode == 0, result.stderr
    after = snapshot(database)
    assert rows(after, "Team")[2] == {**rows(before, "Team")[2], "city": "Boston, MA"}
    assert rows(after, "Stat")[1] == {**rows(before, "Stat")[1], "pts": 30}


def test_an_unknown_player_embedded_by_id_is_refused_not_created(database, tmp_path):
    stat = {**STAT, "id": 2, "player": {"id": 4242}}
    del stat["player_id"]
    assert_refused(
        database,
        [write(tmp_path, {"stats": [stat]})],
        "player id=4242 (player of stat id=2)",
        "first_name, last_name",
    )


def test_an_unknown_team_embedded_by_id_is_refused_not_created(database, tmp_path):
    game = {**GAME, "id": 47181, "visitor_team": {"id": 99, "city": "Nowhere"}}
    del game["visitor_team_id"]
    assert_refused(
        database,
        [write(tmp_path, {"games": [game]})],
        "team id=99 (visitor_team of game id=47181)",
        "abbreviation, name",
    )


def test_a_new_record_with_blank_identifying_fields_is_refused(database, tmp_path):
    assert_refused(
        database,
        [write(tmp_path, {"players": [{"id": 900, "first_name": "", "last_name": "X"}]})],
        "player id=900",
        "first_name",
    )


# --- Values no column can hold ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "fragments"),
    [
        ('{"stats": [{"id": 1, "pts": NaN, "player_id": 237, "team_id": 14, "game_id": 47179}]}',
         ["pts nan", "stat id=1"]),
        ('{"stats": [{"id": 1, "min": Infinity, "player_id": 237, "team_id": 14, '
         '"game_id": 47179}]}', ["min inf", "stat id=1"]),
        ('{"games": [{"id": 47179, "season": -Infinity}]}', ["season", "game id=47179"]),
        ('{"games": [{"id": 47179, "postseason": NaN}]}', ["postseason", "game id=47179"]),
        ({"stats": [{**STAT, "pts": 10**6}]}, ["pts 1000000 is out of range", "stat id=1"]),
        ({"stats": [{**STAT, "min": 1e300}]}, ["min 1e+300", "stat id=1"]),
        ({"teams": [{**LAKERS, "id": 2**70}]}, ["is out of range", f"team id={2**70}"]),
        ({"games": [{**GAME, "season": 99999}]}, ["season 99999", "game id=47179"]),
        ({"teams": [{**LAKERS, "name": "Lak\x00ers"}]}, ["name contains a NUL", "team id=14"]),
        ({"players": [{**LEBRON, "last_name": "Ja\ud800mes"}]},
         ["last_name contains a NUL or a lone surrogate", "player id=237"]),
        ({"teams": [{**LAKERS, "city": {"nested": "object"}}]}, ["is not text", "team id=14"]),
    ],
)  # fmt: skip
def test_values_no_column_can_hold_are_refused_naming_the_record(
    database, tmp_path, document, fragments
):
    assert_refused(database, [write(tmp_path, document)], *fragments)


def test_json_nested_100000_deep_is_refused(database, tmp_path):
    document = '{"teams": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert_refused(database, [write(tmp_path, document)], "nested too deeply")


def test_several_files_are_one_transaction(database, tmp_path):
    good = write(tmp_path, {"teams": [{**LAKERS, "city": "Inglewood"}]}, "good.json")
    bad = write(tmp_path, {"stats": [{**STAT, "pts": "many"}]}, "bad.json")
    assert_refused(database, [good, bad], "bad.json", "pts 'many' is not an integer")
