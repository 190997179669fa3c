"""Read-side queries of the Sport Stats API: filters, keyset pages and season averages."""

import datetime
from dataclasses import dataclass
from functools import cache, cached_property

from django.db import connection
from django.db.models import Model, Q, QuerySet, Value
from django.db.models.functions import Concat

from pluginmeta.db import fetch_rows
from sportstats.models import BOX_SCORE_FIELDS, Game, Player, Stat, Team

Row = dict[str, dict]


@dataclass(frozen=True)
class Page:
    """One keyset page: rows with id > cursor, and the cursor of the next page (or None).

    Each row maps "" to the main record and each join's alias to the related record, all as
    plain dicts of column values.
    """

    rows: list[Row]
    next_cursor: int | None
    per_page: int


@dataclass(frozen=True)
class Join:
    """A to-one relation fetched with each row of a page."""

    alias: str
    model: type[Model]
    column: str  # foreign key column on the main table
    outer: bool = False  # LEFT JOIN, for a nullable key


class PageQuery:
    """The outer query of a page, written out once from the models' fields.

    Built by the ORM on every request, the same page cost 1.3 to 1.9 times the instructions
    and 1.2 to 2.5 times the p50 at 1M rows (docs/performance.md, "Sport Stats pages,
    averages and imports in SQL").
    Model instances are only part of it: with values_list() instead, a 25-row page cost as
    much, building and compiling the join being most of the difference. The SQL never
    changes, so it is built once per process.
    """

    def __init__(self, model: type[Model], joins: tuple[Join, ...] = ()) -> None:
        self.model = model
        self.joins = joins

    @cached_property
    def _parts(self) -> tuple[str, list[tuple[str, list[str]]]]:
        qn = connection.ops.quote_name
        select, layout, tables = [], [], [f"{qn(self.model._meta.db_table)} m"]
        for alias, model in [("", self.model)] + [(j.alias, j.model) for j in self.joins]:
            fields = model._meta.concrete_fields
            table_alias = qn(f"j_{alias}") if alias else "m"
            select += [f"{table_alias}.{qn(f.column)}" for f in fields]
            layout.append((alias, [f.attname for f in fields]))
        for join in self.joins:
            kind = "LEFT JOIN" if join.outer else "JOIN"
            table_alias = qn(f"j_{join.alias}")
            tables.append(
                f"{kind} {qn(join.model._meta.db_table)} {table_alias} "
                f"ON {table_alias}.{qn(join.model._meta.pk.column)} = m.{qn(join.column)}"
            )
        sql = (
            f"SELECT {', '.join(select)} FROM {' '.join(tables)} "  # noqa: S608 - model names
            "WHERE m.id IN ({inner}) ORDER BY m.id"
        )
        return sql, layout

    def rows(self, inner_sql: str, params: tuple) -> list[Row]:
        sql, layout = self._parts
        records = fetch_rows(sql.replace("{inner}", inner_sql), params)
        out = []
        for record in records:
            row, start = {}, 0
            for alias, names in layout:
                row[alias] = dict(zip(names, record[start : start + len(names)], strict=True))
                start += len(names)
            out.append(row)
        return out


PLAYER_PAGE = PageQuery(Player, (Join("team", Team, "team_id", outer=True),))
GAME_PAGE = PageQuery(
    Game,
    (Join("home_team", Team, "home_team_id"), Join("visitor_team", Team, "visitor_team_id")),
)
STAT_PAGE = PageQuery(
    Stat,
    (
        Join("player", Player, "player_id"),
        Join("team", Team, "team_id"),
        Join("game", Game, "game_id"),
    ),
)


def keyset_page(queryset: QuerySet, cursor: int, per_page: int, shape: PageQuery) -> Page:
    """Orders by id and fetches one row more than asked, which says whether a next page exists.

    One query and no COUNT (which would scan a large table). The inner query, from the ORM,
    picks the page's ids from the filters alone, which an index can answer without visiting
    the table; the outer one joins the related rows for those ids only. Filters, joins and
    LIMIT in one query instead let Postgres walk the primary key until the page is full: a
    week's stats took 90 ms at 1M rows rather than 4 (docs/performance.md, "Sport Stats
    pages, averages and imports in SQL").
    """
    inner = queryset.filter(id__gt=cursor).order_by("id").values("id")[: per_page + 1]
    inner_sql, params = inner.query.sql_with_params()
    rows = shape.rows(inner_sql, params)
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows=rows, next_cursor=rows[-1][""]["id"] if more else None, per_page=per_page)


def current_season(today: datetime.date | None = None) -> int:
    """The season is named by the year it began; a new one starts in October."""
    today = today or datetime.date.today()
    return today.year if today.month >= 10 else today.year - 1


def list_teams() -> list[dict]:
    return list(Team.objects.order_by("id").values())


def players(query: str | None = None) -> QuerySet[Player]:
    qs = Player.objects.all()
    if query:
        # Matching the full name also matches any substring of the first or the last name.
        qs = qs.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(
            full_name__icontains=query
        )
    return qs


def games(
    seasons: list[int],
    team_ids: list[int],
    start_date: datetime.date | None,
    end_date: datetime.date | None,
) -> QuerySet[Game]:
    qs = Game.objects.all()
    if seasons:
        qs = qs.filter(season__in=seasons)
    if team_ids:
        qs = qs.filter(Q(home_team_id__in=team_ids) | Q(visitor_team_id__in=team_ids))
    if start_date:
        qs = qs.filter(date__gte=start_date)
    if end_date:
        qs = qs.filter(date__lte=end_date)
    return qs


def stats(
    player_ids: list[int],
    game_ids: list[int],
    seasons: list[int],
    start_date: datetime.date | None,
    end_date: datetime.date | None,
) -> QuerySet[Stat]:
    # Stat carries season and date itself, so no filter needs the game table.
    qs = Stat.objects.all()
    if player_ids:
        qs = qs.filter(player_id__in=player_ids)
    if game_ids:
        qs = qs.filter(game_id__in=game_ids)
    if seasons:
        qs = qs.filter(season__in=seasons)
    if start_date:
        qs = qs.filter(date__gte=start_date)
    if end_date:
        qs = qs.filter(date__lte=end_date)
    return qs


SHOOTING = ["fgm", "fga", "fg3m", "fg3a", "ftm", "fta"]


@cache
def _averages_sql(count: int) -> str:
    qn = connection.ops.quote_name
    averages = ", ".join(f"AVG({qn(c)})" for c in ["seconds", *BOX_SCORE_FIELDS])
    totals = ", ".join(f"SUM({qn(c)})" for c in SHOOTING)
    return (
        f"SELECT player_id, COUNT(*), {averages}, {totals} "  # noqa: S608 - column names
        f"FROM {qn(Stat._meta.db_table)} "
        "WHERE season = %s AND postseason = %s AND seconds > 0 "
        f"AND player_id IN ({', '.join(['%s'] * count)}) "
        "GROUP BY player_id ORDER BY player_id"
    )


def season_averages(season: int, player_ids: list[int]) -> list[dict]:
    """Per-player regular-season averages over the games each player took the floor in.

    One grouped query, written out because the ORM took several times longer to compile it
    than Postgres took to answer it from the covering index. Shooting percentages are made /
    attempted over the season, not a mean of per-game percentages.
    """
    records = fetch_rows(_averages_sql(len(player_ids)), [season, False, *player_ids])
    names = [
        "player_id",
        "games_played",
        "avg_seconds",
        *(f"avg_{c}" for c in BOX_SCORE_FIELDS),
        *(f"sum_{c}" for c in SHOOTING),
    ]
    return [{**dict(zip(names, record, strict=True)), "season": season} for record in records]
