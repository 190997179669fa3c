"""Fixtures for the Sport Stats tests: a small league with known numbers and a sports client."""

import datetime
from dataclasses import dataclass

import pytest

from sportstats.models import Game, Player, Stat, Team
from sportstats.selectors import current_season
from tests.conftest import SPORTS_HOST, HostClient


@pytest.fixture
def sports(db) -> HostClient:
    return HostClient(SPORTS_HOST)


@dataclass
class League:
    """What the league fixture created, for the tests to compare against."""

    teams: dict[str, Team]
    players: dict[str, Player]
    games: dict[int, Game]
    stats: list[Stat]
    current: int


def _stat(stat_id: int, player: Player, team: Team, game: Game, seconds: int, base: int) -> Stat:
    # Distinct, easily checked numbers derived from the stat id and a per-row base.
    return Stat(
        id=stat_id,
        player=player,
        team=team,
        game=game,
        season=game.season,
        date=game.date,
        postseason=game.postseason,
        seconds=seconds,
        pts=base,
        reb=base % 7,
        ast=base % 5,
        stl=base % 3,
        blk=base % 2,
        turnover=base % 4,
        fgm=base // 3,
        fga=base // 2 + 1,
        fg3m=base % 3,
        fg3a=base % 3 + 2,
        ftm=base % 6,
        fta=base % 6 + 1,
        oreb=base % 3,
        dreb=base % 7 - base % 3 if base % 7 >= base % 3 else 0,
        pf=base % 6,
    )


@pytest.fixture
def league(db) -> League:
    """3 teams, 6 players (one without a team), 6 games over 3 seasons, 30-odd box scores."""
    teams = {
        "BOS": Team.objects.create(
            id=2, abbreviation="BOS", city="Boston", conference="East", division="Atlantic",
            full_name="Boston Celtics", name="Celtics",
        ),
        "LAL": Team.objects.create(
            id=14, abbreviation="LAL", city="Los Angeles", conference="West", division="Pacific",
            full_name="Los Angeles Lakers", name="Lakers",
        ),
        "MIA": Team.objects.create(
            id=16, abbreviation="MIA", city="Miami", conference="East", division="Southeast",
            full_name="Miami Heat", name="Heat",
        ),
    }  # fmt: skip
    people = [
        (1, "Anthony", "Davis", "LAL"),
        (2, "LeBron", "James", "LAL"),
        (3, "Jayson", "Tatum", "BOS"),
        (4, "Davis", "Bertans", "MIA"),
        (5, "Jimmy", "Butler", "MIA"),
        (6, "Zed", "Nobody", None),
    ]
    players = {
        last: Player.objects.create(
            id=pid, first_name=first, last_name=last, position="F",
            team=teams[team] if team else None,
        )
        for pid, first, last, team in people
    }  # fmt: skip
    current = current_season()
    schedule = [
        # id, date, season, postseason, home, visitor
        (10, datetime.date(2022, 11, 1), 2022, False, "BOS", "LAL"),
        (11, datetime.date(2023, 1, 15), 2022, False, "MIA", "BOS"),
        (12, datetime.date(2023, 4, 20), 2022, True, "MIA", "BOS"),
        (20, datetime.date(2023, 10, 25), 2023, False, "LAL", "MIA"),
        (21, datetime.date(2024, 2, 1), 2023, False, "BOS", "LAL"),
        (30, datetime.date(current, 11, 1), current, False, "LAL", "BOS"),
    ]
    games = {
        gid: Game.objects.create(
            id=gid, date=day, season=season, postseason=post, status="Final", period=4,
            home_team=teams[home], visitor_team=teams[visitor],
            home_team_score=100 + gid, visitor_team_score=90 + gid,
        )
        for gid, day, season, post, home, visitor in schedule
    }  # fmt: skip
    stats = []
    stat_id = 1000
    for game in games.values():
        for team in (game.home_team, game.visitor_team):
            for player in players.values():
                if player.team_id != team.id:
                    continue
                stat_id += 1
                # LeBron sits out game 21 (a zero-minute row, which averages must skip).
                dnp = player.last_name == "James" and game.id == 21
                seconds = 0 if dnp else 1200 + (stat_id % 17) * 61
                base = 0 if dnp else 5 + (stat_id * 7) % 29
                stats.append(_stat(stat_id, player, team, game, seconds, base))
    Stat.objects.bulk_create(stats)
    return League(teams=teams, players=players, games=games, stats=stats, current=current)
