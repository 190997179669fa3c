"""Upserts batches of Sport Stats records by id, in bulk, parents first, in one transaction.

Used by import_sportstats, sync_sportstats, load_sportstats_demo and generate_sportstats.
Records may embed their relations (a stat embeds player, team and game); embedded records are
upserted too, and every copy of one row is merged, a record given in its own list last.

A field a record leaves out keeps its stored value, so a partial copy ({"id": 14}) only refers
to an existing row and never blanks it; a row that does not exist yet needs its identifying
fields (sportstats/records.py parses and checks every value).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Q, Subquery

from pluginmeta.db import copy_rows, execute, execute_many
from sportstats.models import Game, Player, Stat, Team
from sportstats.records import (
    BATCH_SIZE,
    GAME_SOURCES,
    IDENTIFYING,
    PLAYER_SOURCES,
    SOURCES,
    STAT_SOURCES,
    Batch,
    ImportDataError,
    game_from,
    given_fields,
    merge_into,
    player_from,
    record_label,
    records_of,
    related_id,
    stat_from,
    team_from,
    team_given_fields,
)

__all__ = ["Batch", "ImportDataError", "batch_from_document", "build_batch", "upsert"]


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
        merge_into(
            batch,
            team_from(record, within),
            team_given_fields(record),
            record_label("team", record, within),
        )

    def put_player(record: Mapping, within: str = "") -> None:
        player = player_from(record, demo, within)
        merge_into(
            batch,
            player,
            given_fields(record, PLAYER_SOURCES),
            record_label("player", record, within),
        )

    def put_game(record: Mapping, within: str = "") -> None:
        game = game_from(record, demo, within)
        merge_into(
            batch, game, given_fields(record, GAME_SOURCES), record_label("game", record, within)
        )

    # Embedded copies first, so that the records from the explicit lists are merged last.
    for record in players:
        if isinstance(record.get("team"), Mapping):
            put_team(record["team"], f"team of {record_label('player', record)}")
    for record in games:
        for side in ("home_team", "visitor_team"):
            if isinstance(record.get(side), Mapping):
                put_team(record[side], f"{side} of {record_label('game', record)}")
    for record in stats:
        within = record_label("stat", record)
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
    stat_games = [related_id(record, "game", record_label("stat", record)) for record in stats]
    wanted = set(stat_games) - set(batch.games) - {None}
    known = {g.id: g for g in Game.objects.filter(id__in=wanted)}
    for record, game_id in zip(stats, stat_games, strict=True):
        game = batch.games.get(game_id) or known.get(game_id)
        if game is None:
            raise ImportDataError(f"game {game_id!r} of stat {record.get('id')!r} is unknown.")
        merge_into(
            batch,
            stat_from(record, game),
            given_fields(record, STAT_SOURCES),
            record_label("stat", record),
        )
    return batch


def batch_from_document(document: Any, demo: bool = False) -> Batch:
    """A JSON document {"teams": [...], "players": [...], "games": [...], "stats": [...]}."""
    if not isinstance(document, Mapping):
        raise ImportDataError("The file must hold a JSON object with teams/players/games/stats.")
    unknown = set(document) - {"teams", "players", "games", "stats"}
    if unknown:
        raise ImportDataError(f"Unknown top-level keys: {', '.join(sorted(unknown))}.")
    return build_batch(**{key: records_of(document.get(key), key) for key in document}, demo=demo)


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
    return _sqlite_upsert(model, objects, batch_size)


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
    execute(f"DROP TABLE IF EXISTS {staging}")
    execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table}) ON COMMIT DROP")
    copy_rows(
        staging,
        [qn(f.column) for f in fields],
        ([getattr(obj, name) for name in attnames] for obj in objects),
    )
    execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
        f"ON CONFLICT ({qn(meta.pk.column)}) DO UPDATE SET {updates}"
    )
    execute(f"DROP TABLE {staging}")
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
    for start in range(0, len(objects), batch_size):
        rows = []
        for obj in objects[start : start + batch_size]:
            row = [getattr(obj, name) for name in attnames]
            for i in dates:
                row[i] = row[i].isoformat()
            rows.append(row)
        execute_many(sql, rows)
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
