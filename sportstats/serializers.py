"""Response bodies of the Sport Stats API in balldontlie's shape.

The render_* functions build the JSON (plain dicts: a 100-row page of nested DRF serializers
costs milliseconds we would rather not spend); the Serializer classes describe the same shape
for the OpenAPI document, and a test keeps the two in step.
"""

from rest_framework import serializers

from sportstats.models import Game, Player, Stat, Team

# --- Rendering ----------------------------------------------------------------------------------


def format_minutes(seconds: int | float) -> str:
    """balldontlie's "min": minutes and seconds played, "MM:SS"."""
    whole = round(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def ratio(made: int | None, attempted: int | None) -> float | None:
    """Made over attempted, rounded as balldontlie does; None when nothing was attempted."""
    if not attempted:
        return None
    return round((made or 0) / attempted, 3)


def render_team(team: Team) -> dict:
    return {
        "id": team.id,
        "abbreviation": team.abbreviation,
        "city": team.city,
        "conference": team.conference,
        "division": team.division,
        "full_name": team.full_name,
        "name": team.name,
    }


def _player_fields(player: Player) -> dict:
    return {
        "id": player.id,
        "first_name": player.first_name,
        "last_name": player.last_name,
        "position": player.position,
        "height": player.height,
        "weight": player.weight,
        "jersey_number": player.jersey_number,
        "demo": player.demo,
    }


def render_player(player: Player) -> dict:
    team = player.team
    return {**_player_fields(player), "team": render_team(team) if team else None}


def _game_fields(game: Game) -> dict:
    return {
        "id": game.id,
        "date": game.date.isoformat(),
        "season": game.season,
        "status": game.status,
        "period": game.period,
        "time": game.time,
        "postseason": game.postseason,
        "home_team_score": game.home_team_score,
        "visitor_team_score": game.visitor_team_score,
        "demo": game.demo,
    }


def render_game(game: Game) -> dict:
    return {
        **_game_fields(game),
        "home_team": render_team(game.home_team),
        "visitor_team": render_team(game.visitor_team),
    }


def render_stat(stat: Stat) -> dict:
    # As in balldontlie, the embedded player and game carry team ids rather than whole teams.
    return {
        "id": stat.id,
        "min": format_minutes(stat.seconds),
        "pts": stat.pts,
        "reb": stat.reb,
        "ast": stat.ast,
        "stl": stat.stl,
        "blk": stat.blk,
        "turnover": stat.turnover,
        "fgm": stat.fgm,
        "fga": stat.fga,
        "fg_pct": ratio(stat.fgm, stat.fga),
        "fg3m": stat.fg3m,
        "fg3a": stat.fg3a,
        "fg3_pct": ratio(stat.fg3m, stat.fg3a),
        "ftm": stat.ftm,
        "fta": stat.fta,
        "ft_pct": ratio(stat.ftm, stat.fta),
        "oreb": stat.oreb,
        "dreb": stat.dreb,
        "pf": stat.pf,
        "player": {**_player_fields(stat.player), "team_id": stat.player.team_id},
        "team": render_team(stat.team),
        "game": {
            **_game_fields(stat.game),
            "home_team_id": stat.game.home_team_id,
            "visitor_team_id": stat.game.visitor_team_id,
        },
    }


AVERAGE_FIELDS = [
    "pts", "reb", "ast", "stl", "blk", "turnover", "pf",
    "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
]  # fmt: skip


def render_average(row: dict) -> dict:
    """One row of selectors.season_averages, rounded to two places as balldontlie does."""
    return {
        "player_id": row["player_id"],
        "season": row["season"],
        "games_played": row["games_played"],
        "min": format_minutes(row["avg_seconds"] or 0),
        **{name: round(float(row[f"avg_{name}"] or 0), 2) for name in AVERAGE_FIELDS},
        "fg_pct": ratio(row["sum_fgm"], row["sum_fga"]),
        "fg3_pct": ratio(row["sum_fg3m"], row["sum_fg3a"]),
        "ft_pct": ratio(row["sum_ftm"], row["sum_fta"]),
    }


# --- OpenAPI description of the same shapes -----------------------------------------------------


class TeamSerializer(serializers.Serializer):
    """A team."""

    id = serializers.IntegerField()
    abbreviation = serializers.CharField()
    city = serializers.CharField()
    conference = serializers.CharField()
    division = serializers.CharField()
    full_name = serializers.CharField()
    name = serializers.CharField()


class PlayerBaseSerializer(serializers.Serializer):
    """Fields every rendering of a player has."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    position = serializers.CharField()
    height = serializers.CharField()
    weight = serializers.CharField()
    jersey_number = serializers.CharField()
    demo = serializers.BooleanField(help_text="True for generated demo data.")


class PlayerSerializer(PlayerBaseSerializer):
    """A player with their current team."""

    team = TeamSerializer(allow_null=True)


class StatPlayerSerializer(PlayerBaseSerializer):
    """The player embedded in a box score."""

    team_id = serializers.IntegerField(allow_null=True)


class GameBaseSerializer(serializers.Serializer):
    """Fields every rendering of a game has."""

    id = serializers.IntegerField()
    date = serializers.DateField()
    season = serializers.IntegerField(help_text="The year the season began.")
    status = serializers.CharField()
    period = serializers.IntegerField()
    time = serializers.CharField()
    postseason = serializers.BooleanField()
    home_team_score = serializers.IntegerField()
    visitor_team_score = serializers.IntegerField()
    demo = serializers.BooleanField(help_text="True for generated demo data.")


class GameSerializer(GameBaseSerializer):
    """A game with both teams."""

    home_team = TeamSerializer()
    visitor_team = TeamSerializer()


class StatGameSerializer(GameBaseSerializer):
    """The game embedded in a box score."""

    home_team_id = serializers.IntegerField()
    visitor_team_id = serializers.IntegerField()


class StatSerializer(serializers.Serializer):
    """One player's box score in one game."""

    id = serializers.IntegerField()
    min = serializers.CharField(help_text="Time played, MM:SS.")
    pts = serializers.IntegerField()
    reb = serializers.IntegerField()
    ast = serializers.IntegerField()
    stl = serializers.IntegerField()
    blk = serializers.IntegerField()
    turnover = serializers.IntegerField()
    fgm = serializers.IntegerField()
    fga = serializers.IntegerField()
    fg_pct = serializers.FloatField(allow_null=True)
    fg3m = serializers.IntegerField()
    fg3a = serializers.IntegerField()
    fg3_pct = serializers.FloatField(allow_null=True)
    ftm = serializers.IntegerField()
    fta = serializers.IntegerField()
    ft_pct = serializers.FloatField(allow_null=True)
    oreb = serializers.IntegerField()
    dreb = serializers.IntegerField()
    pf = serializers.IntegerField()
    player = StatPlayerSerializer()
    team = TeamSerializer()
    game = StatGameSerializer()


class SeasonAverageSerializer(serializers.Serializer):
    """One player's regular-season averages."""

    player_id = serializers.IntegerField()
    season = serializers.IntegerField()
    games_played = serializers.IntegerField()
    min = serializers.CharField(help_text="Average time played, MM:SS.")
    pts = serializers.FloatField()
    reb = serializers.FloatField()
    ast = serializers.FloatField()
    stl = serializers.FloatField()
    blk = serializers.FloatField()
    turnover = serializers.FloatField()
    pf = serializers.FloatField()
    fgm = serializers.FloatField()
    fga = serializers.FloatField()
    fg3m = serializers.FloatField()
    fg3a = serializers.FloatField()
    ftm = serializers.FloatField()
    fta = serializers.FloatField()
    oreb = serializers.FloatField()
    dreb = serializers.FloatField()
    fg_pct = serializers.FloatField(allow_null=True)
    fg3_pct = serializers.FloatField(allow_null=True)
    ft_pct = serializers.FloatField(allow_null=True)


class PageMetaSerializer(serializers.Serializer):
    """Keyset pagination: pass next_cursor back as cursor for the next page."""

    next_cursor = serializers.IntegerField(allow_null=True)
    per_page = serializers.IntegerField()


class TeamListSerializer(serializers.Serializer):
    """getTeams response."""

    data = TeamSerializer(many=True)
    meta = serializers.DictField()


class PlayerListSerializer(serializers.Serializer):
    """getPlayers response."""

    data = PlayerSerializer(many=True)
    meta = PageMetaSerializer()


class GameListSerializer(serializers.Serializer):
    """getGames response."""

    data = GameSerializer(many=True)
    meta = PageMetaSerializer()


class StatListSerializer(serializers.Serializer):
    """getStats response."""

    data = StatSerializer(many=True)
    meta = PageMetaSerializer()


class SeasonAverageListSerializer(serializers.Serializer):
    """getSeasonAverages response."""

    data = SeasonAverageSerializer(many=True)
    meta = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    """Every error response; `fields` names the offending parameters."""

    error = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(required=False)
