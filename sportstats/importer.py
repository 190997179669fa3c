"""Upserts balldontlie-format records (teams, players, games, stats) by id, in bulk.

Used by import_sportstats, sync_sportstats, load_sportstats_demo and generate_sportstats.
Records may embed their relations (a stat embeds player, team and game); embedded records are
upserted too, but a record given in its own list wins over an embedded copy of it.
"""

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery

from sportstats.models import Game, Player, Stat, Team

BATCH_SIZE = 2000


class ImportDataError(Exception):
    """A record is malformed or refers to something that does not exist."""


@dataclass
class Batch:
    """Records keyed by id, ready to upsert."""

    teams: dict[int, Team] = field(default_factory=dict)
    players: dict[int, Player] = field(default_factory=dict)
    games: dict[int, Game] = field(default_factory=dict)
    stats: dict[int, Stat] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "teams": len(self.teams),
            "players": len(self.players),
            "games": len(self.games),
            "stats": len(self.stats),
        }


# --- Field parsing ------------------------------------------------------------------------------

_MINUTES = re.compile(r"(\d{1,3})(?::(\d{1,2}))?(?:\.\d+)?")


def parse_minutes(value: Any) -> int:
    """balldontlie's "min" ("32:10", "32", 32, "", None) as seconds played."""
    if value is None or value == "":
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(0, round(value * 60))
    match = _MINUTES.fullmatch(str(value).strip())
    if not match:
        raise ImportDataError(f"min {value!r} is not minutes like '32:10' or '32'.")
    return int(match.group(1)) * 60 + int(match.group(2) or 0)


def _int(record: Mapping, key: str, default: int | None = None) -> int:
    value = record.get(key, default)
    if value is None:
        if default is not None:
            return default
        raise ImportDataError(f"{key} is missing in {_describe(record)}.")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ImportDataError(f"{key} {value!r} is not an integer in {_describe(record)}.")
    try:
        return int(value)
    except ValueError:
        raise ImportDataError(
            f"{key} {value!r} is not an integer in {_describe(record)}."
        ) from None


def _str(record: Mapping, key: str, max_length: int = 150) -> str:
    value = record.get(key)
    return "" if value is None else str(value)[:max_length]


def _date(record: Mapping, key: str = "date") -> datetime.date:
    value = record.get(key)
    try:
        # balldontlie v1 sends "2019-01-30T00:00:00.000Z", v2 "2019-01-30".
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ImportDataError(f"{key} {value!r} is not a date in {_describe(record)}.") from None


def _describe(record: Mapping) -> str:
    return f"record id={record.get('id')!r}"


def _related_id(record: Mapping, name: str) -> int | None:
    """The id of a relation given either embedded (name: {...}) or flat (name_id: 1)."""
    embedded = record.get(name)
    if isinstance(embedded, Mapping):
        return _int(embedded, "id")
    value = record.get(f"{name}_id")
    return None if value is None else _int(record, f"{name}_id")


def team_from(record: Mapping) -> Team:
    name = _str(record, "name", 100)
    city = _str(record, "city", 100)
    return Team(
        id=_int(record, "id"),
        abbreviation=_str(record, "abbreviation", 10),
        city=city,
        conference=_str(record, "conference", 20),
        division=_str(record, "division", 40),
        full_name=_str(record, "full_name") or f"{city} {name}".strip(),
        name=name,
    )


def player_from(record: Mapping, demo: bool = False) -> Player:
    height = _str(record, "height", 20)
    if not height and record.get("height_feet") is not None:
        height = f"{record['height_feet']}-{record.get('height_inches') or 0}"
    return Player(
        id=_int(record, "id"),
        first_name=_str(record, "first_name", 100),
        last_name=_str(record, "last_name", 100),
        position=_str(record, "position", 20),
        height=height,
        weight=_str(record, "weight", 20) or _str(record, "weight_pounds", 20),
        jersey_number=_str(record, "jersey_number", 10),
        team_id=_related_id(record, "team"),
        demo=bool(record.get("demo", demo)),
    )


def game_from(record: Mapping, demo: bool = False) -> Game:
    home, visitor = _related_id(record, "home_team"), _related_id(record, "visitor_team")
    if home is None or visitor is None:
        raise ImportDataError(f"home_team and visitor_team are required in {_describe(record)}.")
    return Game(
        id=_int(record, "id"),
        date=_date(record),
        season=_int(record, "season"),
        status=_str(record, "status", 40),
        period=_int(record, "period", 0),
        time=_str(record, "time", 20),
        postseason=bool(record.get("postseason", False)),
        home_team_id=home,
        home_team_score=_int(record, "home_team_score", 0),
        visitor_team_id=visitor,
        visitor_team_score=_int(record, "visitor_team_score", 0),
        demo=bool(record.get("demo", demo)),
    )


STAT_NUMBERS = [
    "pts", "reb", "ast", "stl", "blk", "turnover", "pf",
    "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
]  # fmt: skip


def stat_from(record: Mapping, game: Game) -> Stat:
    player_id, team_id = _related_id(record, "player"), _related_id(record, "team")
    if player_id is None or team_id is None:
        raise ImportDataError(f"player and team are required in {_describe(record)}.")
    return Stat(
        id=_int(record, "id"),
        player_id=player_id,
        team_id=team_id,
        game_id=game.id,
        season=game.season,
        date=game.date,
        postseason=game.postseason,
        # balldontlie sends null for a player who did not play: that is zero of everything.
        seconds=parse_minutes(record.get("min")),
        **{name: _int(record, name, 0) for name in STAT_NUMBERS},
    )


# --- Building a batch ---------------------------------------------------------------------------


def _records(value: Any, name: str) -> list[Mapping]:
    if value is None:
        return []
    if isinstance(value, Mapping) and "data" in value:
        value = value["data"]
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ImportDataError(f"{name} must be a list of objects (or {{'data': [...]}}).")
    return value


def build_batch(
    teams: Iterable[Mapping] = (),
    players: Iterable[Mapping] = (),
    games: Iterable[Mapping] = (),
    stats: Iterable[Mapping] = (),
    demo: bool = False,
) -> Batch:
    """Parses records and their embedded relations into one Batch."""
    batch = Batch()
    teams, players, games, stats = list(teams), list(players), list(games), list(stats)
    # Embedded copies first, so that the records from the explicit lists overwrite them.
    for record in players:
        if isinstance(record.get("team"), Mapping):
            _put(batch.teams, team_from(record["team"]))
    for record in games:
        for side in ("home_team", "visitor_team"):
            if isinstance(record.get(side), Mapping):
                _put(batch.teams, team_from(record[side]))
    for record in stats:
        if isinstance(record.get("team"), Mapping):
            _put(batch.teams, team_from(record["team"]))
        if isinstance(record.get("player"), Mapping):
            _put(batch.players, player_from(record["player"], demo))
        if isinstance(record.get("game"), Mapping) and "date" in record["game"]:
            _put(batch.games, game_from(record["game"], demo))
    for record in teams:
        _put(batch.teams, team_from(record))
    for record in players:
        _put(batch.players, player_from(record, demo))
    for record in games:
        _put(batch.games, game_from(record, demo))

    game_ids = {_related_id(r, "game") for r in stats} - set(batch.games) - {None}
    known = {g.id: g for g in Game.objects.filter(id__in=game_ids)}
    for record in stats:
        game_id = _related_id(record, "game")
        game = batch.games.get(game_id) or known.get(game_id)
        if game is None:
            raise ImportDataError(f"game {game_id!r} of stat {record.get('id')!r} is unknown.")
        _put(batch.stats, stat_from(record, game))
    return batch


def _put(target: dict, obj) -> None:
    target[obj.id] = obj


def batch_from_document(document: Any, demo: bool = False) -> Batch:
    """A JSON document {"teams": [...], "players": [...], "games": [...], "stats": [...]}."""
    if not isinstance(document, Mapping):
        raise ImportDataError("The file must hold a JSON object with teams/players/games/stats.")
    unknown = set(document) - {"teams", "players", "games", "stats"}
    if unknown:
        raise ImportDataError(f"Unknown top-level keys: {', '.join(sorted(unknown))}.")
    return build_batch(**{key: _records(document.get(key), key) for key in document}, demo=demo)


# --- Writing ------------------------------------------------------------------------------------


def _check_references(batch: Batch) -> None:
    def missing(model, wanted: set, present: dict) -> set:
        wanted = wanted - set(present) - {None}
        return wanted - set(model.objects.filter(id__in=wanted).values_list("id", flat=True))

    team_refs = {p.team_id for p in batch.players.values()}
    team_refs |= {g.home_team_id for g in batch.games.values()}
    team_refs |= {g.visitor_team_id for g in batch.games.values()}
    team_refs |= {s.team_id for s in batch.stats.values()}
    player_refs = {s.player_id for s in batch.stats.values()}
    for name, model, refs, present in [
        ("team", Team, team_refs, batch.teams),
        ("player", Player, player_refs, batch.players),
    ]:
        absent = missing(model, refs, present)
        if absent:
            sample = ", ".join(str(i) for i in sorted(absent)[:5])
            raise ImportDataError(f"Records refer to unknown {name} ids: {sample}.")


def _upsert(model, objects: Iterable, batch_size: int = BATCH_SIZE) -> int:
    objects = list(objects)
    if not objects:
        return 0
    if connection.vendor == "postgresql":
        return _copy_upsert(model, objects)
    if connection.vendor == "sqlite":
        return _sqlite_upsert(model, objects, batch_size)
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    for start in range(0, len(objects), batch_size):
        model.objects.bulk_create(
            objects[start : start + batch_size],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=fields,
        )
    return len(objects)


def _copy_upsert(model, objects: list) -> int:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT: several times faster
    than bulk_create's parameterised INSERTs for the millions of rows a league has."""
    meta = model._meta
    fields = meta.concrete_fields
    qn = connection.ops.quote_name
    table, staging = qn(meta.db_table), qn(f"staging_{meta.db_table}")
    columns = ", ".join(qn(f.column) for f in fields)
    # Our values are plain ints, strings, dates and bools, which psycopg adapts itself.
    attnames = [f.attname for f in fields]
    updates = ", ".join(
        f"{qn(f.column)} = EXCLUDED.{qn(f.column)}" for f in fields if not f.primary_key
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([getattr(obj, name) for name in attnames])
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
            f"ON CONFLICT ({qn(meta.pk.column)}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"DROP TABLE {staging}")
    return len(objects)


def _sqlite_upsert(model, objects: list, batch_size: int) -> int:
    """executemany of one INSERT ... ON CONFLICT: bulk_create's per-field preparation
    costs more than SQLite's own work."""
    meta = model._meta
    fields = meta.concrete_fields
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    updates = ", ".join(
        f"{qn(f.column)} = excluded.{qn(f.column)}" for f in fields if not f.primary_key
    )
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({qn(meta.pk.column)}) DO UPDATE SET {updates}"
    )
    dates = {i for i, f in enumerate(fields) if f.get_internal_type() == "DateField"}
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            rows = []
            for obj in objects[start : start + batch_size]:
                row = [getattr(obj, name) for name in attnames]
                for i in dates:
                    row[i] = row[i].isoformat()
                rows.append(row)
            cursor.executemany(sql, rows)
    return len(objects)


def _refresh_stat_copies(game_ids: list[int]) -> None:
    """A game that moved (new date, season or postseason flag) moves its stored stats too."""
    if not game_ids:
        return
    stale = Stat.objects.filter(game_id__in=game_ids).filter(
        ~Q(season=F("game__season"))
        | ~Q(date=F("game__date"))
        | ~Q(postseason=F("game__postseason"))
    )
    game = Game.objects.filter(id=OuterRef("game_id"))
    stale.update(
        season=Subquery(game.values("season")[:1]),
        date=Subquery(game.values("date")[:1]),
        postseason=Subquery(game.values("postseason")[:1]),
    )


def upsert(batch: Batch, check: bool = True) -> dict[str, int]:
    """Writes a batch in one transaction, parents first; returns how many of each it wrote."""
    if check:
        _check_references(batch)
    with transaction.atomic():
        _upsert(Team, batch.teams.values())
        _upsert(Player, batch.players.values())
        _upsert(Game, batch.games.values())
        _refresh_stat_copies(list(batch.games))
        _upsert(Stat, batch.stats.values())
    return batch.counts()
