"""Read-side queries of the Sport Stats API: filters, keyset pages and season averages."""

import datetime
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Avg, Count, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Concat

from sportstats.models import Game, Player, Stat, Team

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One keyset page: rows with id > cursor, and the cursor of the next page (or None)."""

    rows: list[T]
    next_cursor: int | None
    per_page: int


def keyset_page(
    queryset: QuerySet, cursor: int, per_page: int, related: tuple[str, ...] = ()
) -> Page:
    """Orders by id and fetches one row more than asked, which says whether a next page exists.

    One query and no COUNT (which would scan a large table). The inner query picks the page's
    ids from the filters alone, which an index can answer without visiting the table; the
    outer one joins the related rows for those ids only, not for every match.
    """
    page_ids = queryset.filter(id__gt=cursor).order_by("id").values("id")[: per_page + 1]
    rows = list(
        queryset.model.objects.select_related(*related)
        .filter(id__in=Subquery(page_ids))
        .order_by("id")
    )
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows=rows, next_cursor=rows[-1].id if more else None, per_page=per_page)


def current_season(today: datetime.date | None = None) -> int:
    """The season is named by the year it began; a new one starts in October."""
    today = today or datetime.date.today()
    return today.year if today.month >= 10 else today.year - 1


PLAYER_RELATED = ("team",)
GAME_RELATED = ("home_team", "visitor_team")
STAT_RELATED = ("player", "team", "game")


def list_teams() -> list[Team]:
    return list(Team.objects.order_by("id"))


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


AVERAGED = [
    "pts", "reb", "ast", "stl", "blk", "turnover", "pf",
    "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
]  # fmt: skip


def season_averages(season: int, player_ids: list[int]) -> list[dict]:
    """Per-player regular-season averages over the games each player took the floor in.

    One grouped query. Shooting percentages are made / attempted over the season, not a mean
    of per-game percentages, so a 1-for-1 night does not weigh as much as a 10-for-20 one.
    """
    totals = {f"sum_{name}": Sum(name) for name in ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta")}
    rows = (
        Stat.objects.filter(
            player_id__in=player_ids, season=season, postseason=False, seconds__gt=0
        )
        .values("player_id")
        .annotate(
            games_played=Count("id"),
            avg_seconds=Avg("seconds"),
            **{f"avg_{name}": Avg(name) for name in AVERAGED},
            **totals,
        )
        .order_by("player_id")
    )
    return [{**row, "season": season} for row in rows]
