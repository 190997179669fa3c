"""balldontlie-format records (teams, players, games, stats) parsed and checked into a Batch.

Every value is checked against its column (type, range, no NUL or lone surrogates), so a bad
file fails with an ImportDataError naming the record instead of a database error. A field a
record leaves out is recorded as not given, so the importer keeps its stored value.
"""

import datetime
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from sportstats.models import BOX_SCORE_FIELDS, Game, Player, Stat, Team

BATCH_SIZE = 2000

SMALLINT = (-(2**15), 2**15 - 1)
INTEGER = (-(2**31), 2**31 - 1)
BIGINT = (-(2**63), 2**63 - 1)


class ImportDataError(Exception):
    """A record is malformed or refers to something that does not exist."""


@dataclass
class Batch:
    """Records keyed by id, ready to upsert.

    given and origin describe records parsed from a source: which fields each one gave (the
    others keep their stored values) and where it came from, for error messages. Rows missing
    from given (generated ones) are complete.
    """

    teams: dict[int, Team] = field(default_factory=dict)
    players: dict[int, Player] = field(default_factory=dict)
    games: dict[int, Game] = field(default_factory=dict)
    stats: dict[int, Stat] = field(default_factory=dict)
    given: dict[tuple[type, int], frozenset[str]] = field(default_factory=dict)
    origin: dict[tuple[type, int], str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "teams": len(self.teams),
            "players": len(self.players),
            "games": len(self.games),
            "stats": len(self.stats),
        }

    def rows(self, model: type[models.Model]) -> dict[int, models.Model]:
        return {Team: self.teams, Player: self.players, Game: self.games, Stat: self.stats}[model]


# --- Field parsing ------------------------------------------------------------------------------

_MINUTES = re.compile(r"(\d{1,3})(?::(\d{1,2}))?(?:\.\d+)?")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def parse_minutes(value: Any) -> int:
    """balldontlie's "min" ("32:10", "32", 32, "", None) as seconds played."""
    if value is None or value == "":
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value * 60
        if not math.isfinite(seconds) or not 0 <= seconds <= INTEGER[1]:
            raise ImportDataError(f"min {value!r} is not a number of minutes played.")
        return round(seconds)
    match = _MINUTES.fullmatch(str(value).strip())
    if not match:
        raise ImportDataError(f"min {value!r} is not minutes like '32:10' or '32'.")
    return int(match.group(1)) * 60 + int(match.group(2) or 0)


def int_field(
    record: Mapping, key: str, label: str, default: int | None = None, bounds=BIGINT
) -> int:
    value = record.get(key, default)
    if value is None:
        if default is not None:
            return default
        raise ImportDataError(f"{key} is missing in {label}.")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ImportDataError(f"{key} {value!r} is not an integer in {label}.")
    try:
        number = int(value)
    except ValueError:
        raise ImportDataError(f"{key} {value!r} is not an integer in {label}.") from None
    low, high = bounds
    if not low <= number <= high:
        raise ImportDataError(f"{key} {value!r} is out of range ({low} to {high}) in {label}.")
    return number


def str_field(record: Mapping, key: str, label: str, max_length: int = 150) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ImportDataError(f"{key} {value!r} is not text in {label}.")
    text = str(value)
    if _UNSTORABLE.search(text):
        raise ImportDataError(f"{key} contains a NUL or a lone surrogate in {label}.")
    if len(text) > max_length:
        raise ImportDataError(f"{key} is longer than {max_length} characters in {label}.")
    return text


def bool_field(record: Mapping, key: str, label: str, default: bool = False) -> bool:
    value = record.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ImportDataError(f"{key} {value!r} is not true or false in {label}.")
    return value


def date_field(record: Mapping, label: str, key: str = "date") -> datetime.date:
    value = record.get(key)
    try:
        if not isinstance(value, str):
            raise ValueError
        # balldontlie v1 sends "2019-01-30T00:00:00.000Z", v2 "2019-01-30".
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ImportDataError(f"{key} {value!r} is not a date in {label}.") from None


def record_label(kind: str, record: Mapping, within: str = "") -> str:
    """How errors name a record: "team id=14", or "team id=14 (home_team of game id=5)"."""
    label = f"{kind} id={record.get('id')!r}"
    return f"{label} ({within})" if within else label


def related_id(record: Mapping, name: str, label: str) -> int | None:
    """The id of a relation given either embedded (name: {...}) or flat (name_id: 1)."""
    embedded = record.get(name)
    if isinstance(embedded, Mapping):
        return int_field(embedded, "id", f"{name} of {label}")
    value = record.get(f"{name}_id")
    return None if value is None else int_field(record, f"{name}_id", label)


def given_fields(record: Mapping, sources: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The fields a record gives: those with one of their keys present, even as null."""
    return frozenset(name for name, keys in sources.items() if any(k in record for k in keys))


# Which record keys give each field; a field none of whose keys is present keeps its value.
TEAM_SOURCES = {
    "abbreviation": ("abbreviation",),
    "city": ("city",),
    "conference": ("conference",),
    "division": ("division",),
    "full_name": ("full_name",),
    "name": ("name",),
}
PLAYER_SOURCES = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "position": ("position",),
    "height": ("height", "height_feet"),
    "weight": ("weight", "weight_pounds"),
    "jersey_number": ("jersey_number",),
    "team_id": ("team", "team_id"),
    "demo": ("demo",),
}
GAME_SOURCES = {
    "date": ("date",),
    "season": ("season",),
    "status": ("status",),
    "period": ("period",),
    "time": ("time",),
    "postseason": ("postseason",),
    "home_team_id": ("home_team", "home_team_id"),
    "home_team_score": ("home_team_score",),
    "visitor_team_id": ("visitor_team", "visitor_team_id"),
    "visitor_team_score": ("visitor_team_score",),
    "demo": ("demo",),
}
STAT_SOURCES = {
    "player_id": ("player", "player_id"),
    "team_id": ("team", "team_id"),
    "game_id": ("game", "game_id"),
    # Copied from the game, which is always known.
    "season": ("game", "game_id"),
    "date": ("game", "game_id"),
    "postseason": ("game", "game_id"),
    "seconds": ("min",),
    **{name: (name,) for name in BOX_SCORE_FIELDS},
}
SOURCES = {Team: TEAM_SOURCES, Player: PLAYER_SOURCES, Game: GAME_SOURCES, Stat: STAT_SOURCES}
# What a row needs before it can be created; an existing row needs none of it.
IDENTIFYING = {
    Team: ("abbreviation", "name"),
    Player: ("first_name", "last_name"),
    Game: ("date", "season", "home_team_id", "visitor_team_id"),
    Stat: (),
}


def team_from(record: Mapping, within: str = "") -> Team:
    label = record_label("team", record, within)
    name = str_field(record, "name", label, 100)
    city = str_field(record, "city", label, 100)
    return Team(
        id=int_field(record, "id", label),
        abbreviation=str_field(record, "abbreviation", label, 10),
        city=city,
        conference=str_field(record, "conference", label, 20),
        division=str_field(record, "division", label, 40),
        full_name=str_field(record, "full_name", label) or f"{city} {name}".strip(),
        name=name,
    )


def team_given_fields(record: Mapping) -> frozenset[str]:
    given = given_fields(record, TEAM_SOURCES)
    # full_name is made from city and name when left out.
    if {"city", "name"} <= given:
        given |= {"full_name"}
    return given


def player_from(record: Mapping, demo: bool = False, within: str = "") -> Player:
    label = record_label("player", record, within)
    height = str_field(record, "height", label, 20)
    if not height and record.get("height_feet") is not None:
        feet = int_field(record, "height_feet", label, bounds=SMALLINT)
        inches = int_field(record, "height_inches", label, 0, bounds=SMALLINT)
        height = f"{feet}-{inches}"
    return Player(
        id=int_field(record, "id", label),
        first_name=str_field(record, "first_name", label, 100),
        last_name=str_field(record, "last_name", label, 100),
        position=str_field(record, "position", label, 20),
        height=height,
        weight=str_field(record, "weight", label, 20)
        or str_field(record, "weight_pounds", label, 20),
        jersey_number=str_field(record, "jersey_number", label, 10),
        team_id=related_id(record, "team", label),
        demo=bool_field(record, "demo", label, demo),
    )


def game_from(record: Mapping, demo: bool = False, within: str = "") -> Game:
    label = record_label("game", record, within)
    home = related_id(record, "home_team", label)
    visitor = related_id(record, "visitor_team", label)
    return Game(
        id=int_field(record, "id", label),
        date=date_field(record, label) if "date" in record else None,
        season=int_field(record, "season", label, bounds=SMALLINT) if "season" in record else None,
        status=str_field(record, "status", label, 40),
        period=int_field(record, "period", label, 0, bounds=SMALLINT),
        time=str_field(record, "time", label, 20),
        postseason=bool_field(record, "postseason", label),
        home_team_id=home,
        home_team_score=int_field(record, "home_team_score", label, 0, bounds=SMALLINT),
        visitor_team_id=visitor,
        visitor_team_score=int_field(record, "visitor_team_score", label, 0, bounds=SMALLINT),
        demo=bool_field(record, "demo", label, demo),
    )


def stat_from(record: Mapping, game: Game) -> Stat:
    label = record_label("stat", record)
    player_id, team_id = related_id(record, "player", label), related_id(record, "team", label)
    if player_id is None or team_id is None:
        raise ImportDataError(f"player and team are required in {label}.")
    try:
        # balldontlie sends null for a player who did not play: that is zero of everything.
        seconds = parse_minutes(record.get("min"))
    except ImportDataError as exc:
        raise ImportDataError(f"{str(exc)[:-1]} in {label}.") from None
    return Stat(
        id=int_field(record, "id", label),
        player_id=player_id,
        team_id=team_id,
        game_id=game.id,
        season=game.season,
        date=game.date,
        postseason=game.postseason,
        seconds=seconds,
        **{name: int_field(record, name, label, 0, bounds=SMALLINT) for name in BOX_SCORE_FIELDS},
    )


# --- Building a batch ---------------------------------------------------------------------------


def records_of(value: Any, name: str) -> list[Mapping]:
    if value is None:
        return []
    if isinstance(value, Mapping) and "data" in value:
        value = value["data"]
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ImportDataError(f"{name} must be a list of objects (or {{'data': [...]}}).")
    return value


def merge_into(batch: Batch, obj: models.Model, given: frozenset[str], origin: str) -> None:
    """Adds a row, merged with an earlier copy: the later copy wins where both give a field."""
    rows = batch.rows(type(obj))
    key = (type(obj), obj.id)
    earlier = rows.get(obj.id)
    if earlier is not None and key in batch.given:
        for name in batch.given[key] - given:
            setattr(obj, name, getattr(earlier, name))
        given |= batch.given[key]
    rows[obj.id] = obj
    batch.given[key] = given
    batch.origin[key] = origin
