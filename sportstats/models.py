"""Teams, players, games and box scores; ids are the source's (balldontlie) ids."""

from django.db import models


class Team(models.Model):
    """A franchise, as balldontlie describes it."""

    id = models.BigIntegerField(primary_key=True)
    abbreviation = models.CharField(max_length=10)
    city = models.CharField(max_length=100, blank=True)
    conference = models.CharField(max_length=20, blank=True)
    division = models.CharField(max_length=40, blank=True)
    full_name = models.CharField(max_length=150)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name


class Player(models.Model):
    """A player; `demo` marks generated people, so nobody mistakes them for real ones."""

    id = models.BigIntegerField(primary_key=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    position = models.CharField(max_length=20, blank=True)
    height = models.CharField(max_length=20, blank=True)
    weight = models.CharField(max_length=20, blank=True)
    jersey_number = models.CharField(max_length=10, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="players"
    )
    demo = models.BooleanField(default=False, help_text="Generated demo data, not a real player.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Game(models.Model):
    """One game between two teams; season is the year the season began."""

    id = models.BigIntegerField(primary_key=True)
    date = models.DateField()
    season = models.SmallIntegerField()
    status = models.CharField(max_length=40, blank=True)
    period = models.SmallIntegerField(default=0)
    time = models.CharField(max_length=20, blank=True)
    postseason = models.BooleanField(default=False)
    home_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="home_games")
    home_team_score = models.SmallIntegerField(default=0)
    visitor_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="away_games")
    visitor_team_score = models.SmallIntegerField(default=0)
    demo = models.BooleanField(default=False, help_text="Generated demo data, not a real game.")

    class Meta:
        ordering = ["id"]
        indexes = [
            # Keyset pages (ORDER BY id) filtered by season walk this index in order.
            models.Index(fields=["season", "id"], name="game_season_id"),
            models.Index(fields=["date"], name="game_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.visitor_team_id}@{self.home_team_id}"


# The box score: the counted numbers of a player's game, summed and averaged per season.
BOX_SCORE_FIELDS = [
    "pts", "reb", "ast", "stl", "blk", "turnover", "pf",
    "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
]  # fmt: skip


class Stat(models.Model):
    """One player's box score in one game.

    season, date and postseason are copied from the game so that the stats filters and the
    season averages use one table and its indexes, without a join. Minutes are stored as an
    integer number of seconds and shown as balldontlie does ("MM:SS").
    """

    id = models.BigIntegerField(primary_key=True)
    # The composite index below starts with player, so the FK's own index would be redundant.
    player = models.ForeignKey(Player, on_delete=models.CASCADE, db_index=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, db_index=False)
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="stats")
    season = models.SmallIntegerField()
    date = models.DateField()
    postseason = models.BooleanField(default=False)
    seconds = models.IntegerField(default=0, help_text="Time played, in seconds.")
    pts = models.SmallIntegerField(default=0)
    reb = models.SmallIntegerField(default=0)
    ast = models.SmallIntegerField(default=0)
    stl = models.SmallIntegerField(default=0)
    blk = models.SmallIntegerField(default=0)
    turnover = models.SmallIntegerField(default=0)
    fgm = models.SmallIntegerField(default=0)
    fga = models.SmallIntegerField(default=0)
    fg3m = models.SmallIntegerField(default=0)
    fg3a = models.SmallIntegerField(default=0)
    ftm = models.SmallIntegerField(default=0)
    fta = models.SmallIntegerField(default=0)
    oreb = models.SmallIntegerField(default=0)
    dreb = models.SmallIntegerField(default=0)
    pf = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            # player_ids (+ seasons) filter: the page's ids come from the index alone; also
            # the season averages' lookup where the covering index below does not exist.
            # On Postgres, migration 0002 adds stat_averages_covering (player_id, season,
            # postseason) INCLUDE (the averaged columns) so the averages never visit the table.
            models.Index(fields=["player", "season", "id"], name="stat_player_season"),
            # Keyset pages filtered by season only.
            models.Index(fields=["season", "id"], name="stat_season_id"),
            models.Index(fields=["date"], name="stat_date"),
        ]

    def __str__(self) -> str:
        return f"stat {self.id}: player {self.player_id} game {self.game_id}"
