"""A synthetic league from a fixed seed: the real 30 teams, invented players, games and box scores.

Everything is derived from random.Random(seed) and ids are computed, not allocated, so running
it twice writes the same rows (the upsert makes it idempotent). Players and games are marked
demo=True: nobody should take these numbers for real ones.
"""

import datetime
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sportstats.importer import upsert
from sportstats.models import Game, Player, Stat, Team
from sportstats.records import Batch, team_from

TEAMS_FILE = Path(__file__).resolve().parent / "data" / "teams.json"

FIRST_NAMES = [
    "Aaron",
    "Andre",
    "Ben",
    "Caleb",
    "Chris",
    "Dante",
    "Darius",
    "Eli",
    "Felix",
    "Gabe",
    "Hugo",
    "Isaac",
    "Jalen",
    "Jamal",
    "Kai",
    "Kevin",
    "Leo",
    "Luka",
    "Malik",
    "Marcus",
    "Miles",
    "Nico",
    "Noah",
    "Omar",
    "Owen",
    "Quinn",
    "Rafael",
    "Sam",
    "Theo",
    "Tyrese",
    "Victor",
    "Zion",
]
LAST_NAMES = [
    "Adams",
    "Baker",
    "Brooks",
    "Carter",
    "Davis",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Green",
    "Harris",
    "Ivanov",
    "Jackson",
    "Johnson",
    "Kim",
    "Lopez",
    "Martin",
    "Moore",
    "Nowak",
    "Okafor",
    "Parker",
    "Reed",
    "Rossi",
    "Silva",
    "Smith",
    "Thompson",
    "Turner",
    "Walker",
    "Watson",
    "White",
    "Williams",
    "Young",
]
POSITIONS = ["G", "G", "F", "F", "C", "G-F", "F-C"]
SEASON_START = (10, 22)  # month, day of opening night
DAYS_BETWEEN_ROUNDS = 2


def load_teams() -> list[Team]:
    """The 30 NBA teams with balldontlie's ids, shipped in sportstats/data/teams.json."""
    return [team_from(record) for record in json.loads(TEAMS_FILE.read_text())["teams"]]


def game_id(season: int, number: int) -> int:
    return (season - 1900) * 10_000 + number


def stat_id(game: int, slot: int) -> int:
    return game * 100 + slot


@dataclass(frozen=True)
class LeagueSpec:
    """What to generate."""

    players: int = 450
    seasons: tuple[int, ...] = (2025,)
    games_per_team: int = 82
    seed: int = 2024
    until: datetime.date | None = None  # no games after this date (keeps the demo in the past)


def _rosters(spec: LeagueSpec, teams: list[Team], rng: random.Random) -> list[Player]:
    players = []
    for number in range(1, spec.players + 1):
        team = teams[(number - 1) % len(teams)]
        inches = rng.randint(72, 86)
        players.append(
            Player(
                id=number,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                position=rng.choice(POSITIONS),
                height=f"{inches // 12}-{inches % 12}",
                weight=str(rng.randint(180, 260)),
                jersey_number=str(rng.randint(0, 99)),
                team_id=team.id,
                demo=True,
            )
        )
    return players


def _round_robin(team_ids: list[int], rounds: int) -> Iterator[list[tuple[int, int]]]:
    """The circle method: each round pairs every team once; home and away alternate."""
    ids = list(team_ids)
    for number in range(rounds):
        half = len(ids) // 2
        pairs = list(zip(ids[:half], reversed(ids[half:]), strict=True))
        yield [(a, b) if number % 2 else (b, a) for a, b in pairs]
        ids = [ids[0], ids[-1], *ids[1:-1]]


def _box_score(rng: random.Random, stat: int, player: Player, team: int, game: Game, rank: int):
    # Starters play most; a few bench players do not play at all (zero minutes, zero of all).
    if rank >= 10 and rng.random() < 0.3:
        seconds = 0
    elif rank < 5:
        seconds = rng.randint(26 * 60, 40 * 60)
    else:
        seconds = rng.randint(4 * 60, 24 * 60)
    minutes = seconds / 60
    fga = int(minutes * rng.uniform(0.2, 0.6))
    fg3a = min(fga, int(fga * rng.uniform(0.1, 0.5)))
    fg3m = sum(rng.random() < 0.36 for _ in range(fg3a))
    fg2m = sum(rng.random() < 0.5 for _ in range(fga - fg3a))
    fta = int(minutes * rng.uniform(0, 0.2))
    ftm = sum(rng.random() < 0.78 for _ in range(fta))
    oreb = int(minutes * rng.uniform(0, 0.08))
    dreb = int(minutes * rng.uniform(0, 0.25))
    return Stat(
        id=stat,
        player_id=player.id,
        team_id=team,
        game_id=game.id,
        season=game.season,
        date=game.date,
        postseason=game.postseason,
        seconds=seconds,
        pts=2 * fg2m + 3 * fg3m + ftm,
        reb=oreb + dreb,
        ast=int(minutes * rng.uniform(0, 0.25)),
        stl=int(minutes * rng.uniform(0, 0.06)),
        blk=int(minutes * rng.uniform(0, 0.05)),
        turnover=int(minutes * rng.uniform(0, 0.1)),
        fgm=fg2m + fg3m,
        fga=fga,
        fg3m=fg3m,
        fg3a=fg3a,
        ftm=ftm,
        fta=fta,
        oreb=oreb,
        dreb=dreb,
        pf=rng.randint(0, 6 if seconds else 0),
    )


def generate(spec: LeagueSpec) -> Iterator[Batch]:
    """Yields the teams and players, then one batch of games and stats per season."""
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible data, not secrets
    teams = load_teams()
    players = _rosters(spec, teams, rng)
    yield Batch(teams={t.id: t for t in teams}, players={p.id: p for p in players})

    roster: dict[int, list[Player]] = {t.id: [] for t in teams}
    for player in players:
        roster[player.team_id].append(player)
    if any(len(r) > 99 for r in roster.values()):
        raise ValueError("At most 99 players per team (stat ids keep two digits for the slot).")
    team_ids = [t.id for t in teams]

    for season in spec.seasons:
        batch = Batch()
        opening = datetime.date(season, *SEASON_START)
        number = 0
        for round_number, pairs in enumerate(_round_robin(team_ids, spec.games_per_team)):
            day = opening + datetime.timedelta(days=round_number * DAYS_BETWEEN_ROUNDS)
            if spec.until and day > spec.until:
                break
            for home, visitor in pairs:
                number += 1
                game = Game(
                    id=game_id(season, number),
                    date=day,
                    season=season,
                    status="Final",
                    period=4,
                    time="Final",
                    postseason=False,
                    home_team_id=home,
                    visitor_team_id=visitor,
                    demo=True,
                )
                scores = {}
                slot = 0
                for team in (home, visitor):
                    total = 0
                    for rank, player in enumerate(roster[team]):
                        stat = _box_score(rng, stat_id(game.id, slot), player, team, game, rank)
                        batch.stats[stat.id] = stat
                        total += stat.pts
                        slot += 1
                    scores[team] = total
                game.home_team_score = scores[home]
                game.visitor_team_score = scores[visitor]
                batch.games[game.id] = game
        yield batch


def write(spec: LeagueSpec, progress: Callable[[Batch], None] | None = None) -> dict[str, int]:
    """Generates and upserts the league, batch by batch; returns totals written."""
    totals = {"teams": 0, "players": 0, "games": 0, "stats": 0}
    for batch in generate(spec):
        # The generator only refers to rows it wrote itself, so no reference check is needed.
        for key, value in upsert(batch, check=False).items():
            totals[key] += value
        if progress:
            progress(batch)
    return totals
