"""Upserts balldontlie-format records (teams, players, games, stats) by id, in bulk.

Used by import_sportstats, sync_sportstats, load_sportstats_demo and generate_sportstats.
Records may embed their relations (a stat embeds player, team and game); embedded records are
upserted too, and every copy of one row is merged, a record given in its own list last.

A field a record leaves out keeps its stored value, so a partial copy ({"id": 14}) only refers
to an existing row and never blanks it; a row that does not exist yet needs its identifying
fields. Every value is checked against its column (type, range, no NUL or lone surrogates),
so a bad file fails with an ImportDataError naming the record instead of a database error.
"""

import datetime
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Q, Subquery

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


def _int(record: Mapping, key: str, label: str, default: int | None = None, bounds=BIGINT) -> int:
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


def _str(record: Mapping, key: str, label: str, max_length: int = 150) -> str:
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


def _bool(record: Mapping, key: str, label: str, default: bool = False) -> bool:
    value = record.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ImportDataError(f"{key} {value!r} is not true or false in {label}.")
    return value


def _date(record: Mapping, label: str, key: str = "date") -> datetime.date:
    value = record.get(key)
    try:
        if not isinstance(value, str):
            raise ValueError
        # balldontlie v1 sends "2019-01-30T00:00:00.000Z", v2 "2019-01-30".
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ImportDataError(f"{key} {value!r} is not a date in {label}.") from None


def _label(kind: str, record: Mapping, within: str = "") -> str:
    """How errors name a record: "team id=14", or "team id=14 (home_team of game id=5)"."""
    label = f"{kind} id={record.get('id')!r}"
    return f"{label} ({within})" if within else label


def _related_id(record: Mapping, name: str, label: str) -> int | None:
    """The id of a relation given either embedded (name: {...}) or flat (name_id: 1)."""
    embedded = record.get(name)
    if isinstance(embedded, Mapping):
        return _int(embedded, "id", f"{name} of {label}")
    value = record.get(f"{name}_id")
    return None if value is None else _int(record, f"{name}_id", label)


def _given(record: Mapping, sources: dict[str, tuple[str, ...]]) -> frozenset[str]:
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
    label = _label("team", record, within)
    name = _str(record, "name", label, 100)
    city = _str(record, "city", label, 100)
    return Team(
        id=_int(record, "id", label),
        abbreviation=_str(record, "abbreviation", label, 10),
        city=city,
        conference=_str(record, "conference", label, 20),
        division=_str(record, "division", label, 40),
        full_name=_str(record, "full_name", label) or f"{city} {name}".strip(),
        name=name,
    )


def _team_given(record: Mapping) -> frozenset[str]:
    given = _given(record, TEAM_SOURCES)
    # full_name is made from city and name when left out.
    if {"city", "name"} <= given:
        given |= {"full_name"}
    return given


def player_from(record: Mapping, demo: bool = False, within: str = "") -> Player:
    label = _label("player", record, within)
    height = _str(record, "height", label, 20)
    if not height and record.get("height_feet") is not None:
        feet = _int(record, "height_feet", label, bounds=SMALLINT)
        inches = _int(record, "height_inches", label, 0, bounds=SMALLINT)
        height = f"{feet}-{inches}"
    return Player(
        id=_int(record, "id", label),
        first_name=_str(record, "first_name", label, 100),
        last_name=_str(record, "last_name", label, 100),
        position=_str(record, "position", label, 20),
        height=height,
        weight=_str(record, "weight", label, 20) or _str(record, "weight_pounds", label, 20),
        jersey_number=_str(record, "jersey_number", label, 10),
        team_id=_related_id(record, "team", label),
        demo=_bool(record, "demo", label, demo),
    )


def game_from(record: Mapping, demo: bool = False, within: str = "") -> Game:
    label = _label("game", record, within)
    home = _related_id(record, "home_team", label)
    visitor = _related_id(record, "visitor_team", label)
    return Game(
        id=_int(record, "id", label),
        date=_date(record, label) if "date" in record else None,
        season=_int(record, "season", label, bounds=SMALLINT) if "season" in record else None,
        status=_str(record, "status", label, 40),
        period=_int(record, "period", label, 0, bounds=SMALLINT),
        time=_str(record, "time", label, 20),
        postseason=_bool(record, "postseason", label),
        home_team_id=home,
        home_team_score=_int(record, "home_team_score", label, 0, bounds=SMALLINT),
        visitor_team_id=visitor,
        visitor_team_score=_int(record, "visitor_team_score", label, 0, bounds=SMALLINT),
        demo=_bool(record, "demo", label, demo),
    )


def stat_from(record: Mapping, game: Game) -> Stat:
    label = _label("stat", record)
    player_id, team_id = _related_id(record, "player", label), _related_id(record, "team", label)
    if player_id is None or team_id is None:
        raise ImportDataError(f"player and team are required in {label}.")
    try:
        # balldontlie sends null for a player who did not play: that is zero of everything.
        seconds = parse_minutes(record.get("min"))
    except ImportDataError as exc:
        raise ImportDataError(f"{str(exc)[:-1]} in {label}.") from None
    return Stat(
        id=_int(record, "id", label),
        player_id=player_id,
        team_id=team_id,
        game_id=game.id,
        season=game.season,
        date=game.date,
        postseason=game.postseason,
        seconds=seconds,
        **{name: _int(record, name, label, 0, bounds=SMALLINT) for name in BOX_SCORE_FIELDS},
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

    def put_team(record: Mapping, within: str = "") -> None:
        _put(batch, team_from(record, within), _team_given(record), _label("team", record, within))

    def put_player(record: Mapping, within: str = "") -> None:
        player = player_from(record, demo, within)
        _put(batch, player, _given(record, PLAYER_SOURCES), _label("player", record, within))

    def put_game(record: Mapping, within: str = "") -> None:
        game = game_from(record, demo, within)
        _put(batch, game, _given(record, GAME_SOURCES), _label("game", record, within))

    # Embedded copies first, so that the records from the explicit lists are merged last.
    for record in players:
        if isinstance(record.get("team"), Mapping):
            put_team(record["team"], f"team of {_label('player', record)}")
    for record in games:
        for side in ("home_team", "visitor_team"):
            if isinstance(record.get(side), Mapping):
                put_team(record[side], f"{side} of {_label('game', record)}")
    for record in stats:
        within = _label("stat", record)
        if isinstance(record.get("team"), Mapping):
            put_team(record["team"], f"team of {within}")
        if isinstance(record.get("player"), Mapping):
            put_player(record["player"], f"player of {within}")
        if isinstance(record.get("game"), Mapping) and len(record["game"]) > 1:
            put_game(record["game"], f"game of {within}")
    for record in teams:
        put_team(record)
    for record in players:
        put_player(record)
    for record in games:
        put_game(record)

    # Stats copy season and date from their game, so the games are completed first.
    _complete_from_database(batch, Game)
    stat_games = [_related_id(record, "game", _label("stat", record)) for record in stats]
    wanted = set(stat_games) - set(batch.games) - {None}
    known = {g.id: g for g in Game.objects.filter(id__in=wanted)}
    for record, game_id in zip(stats, stat_games, strict=True):
        game = batch.games.get(game_id) or known.get(game_id)
        if game is None:
            raise ImportDataError(f"game {game_id!r} of stat {record.get('id')!r} is unknown.")
        _put(batch, stat_from(record, game), _given(record, STAT_SOURCES), _label("stat", record))
    return batch


def _put(batch: Batch, obj: models.Model, given: frozenset[str], origin: str) -> None:
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


def batch_from_document(document: Any, demo: bool = False) -> Batch:
    """A JSON document {"teams": [...], "players": [...], "games": [...], "stats": [...]}."""
    if not isinstance(document, Mapping):
        raise ImportDataError("The file must hold a JSON object with teams/players/games/stats.")
    unknown = set(document) - {"teams", "players", "games", "stats"}
    if unknown:
        raise ImportDataError(f"Unknown top-level keys: {', '.join(sorted(unknown))}.")
    return build_batch(**{key: _records(document.get(key), key) for key in document}, demo=demo)


def _complete_from_database(batch: Batch, model: type[models.Model]) -> None:
    """Fills the fields partial records leave out from the stored rows.

    A partial record of a row that does not exist yet must give the row's identifying fields.
    """
    rows = batch.rows(model)
    every = frozenset(SOURCES[model])
    partial = [
        row_id
        for row_id in rows
        if (model, row_id) in batch.given and batch.given[(model, row_id)] != every
    ]
    for start in range(0, len(partial), BATCH_SIZE):
        chunk = partial[start : start + BATCH_SIZE]
        stored = {row["id"]: row for row in model.objects.filter(id__in=chunk).values("id", *every)}
        for row_id in chunk:
            key = (model, row_id)
            absent = every - batch.given[key]
            if row_id in stored:
                for name in absent:
                    setattr(rows[row_id], name, stored[row_id][name])
                batch.given[key] = every
                continue
            missing = [name for name in IDENTIFYING[model] if name in absent]
            blank = [
                name
                for name in IDENTIFYING[model]
                if name not in absent and getattr(rows[row_id], name) in ("", None)
            ]
            if missing or blank:
                fields = ", ".join(name.removesuffix("_id") for name in missing + blank)
                raise ImportDataError(
                    f"{batch.origin[key]} is not in the database, and the file does not "
                    f"give its {fields}."
                )


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
    with transaction.atomic():
        if check:
            _check_references(batch)
        for model in (Team, Player, Stat):
            _complete_from_database(batch, model)
        _upsert(Team, batch.teams.values())
        _upsert(Player, batch.players.values())
        _upsert(Game, batch.games.values())
        _refresh_stat_copies(list(batch.games))
        _upsert(Stat, batch.stats.values())
    return batch.counts()
