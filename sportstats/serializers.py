"""Response bodies of the Sport Stats API in balldontlie's shape.

The render_* functions build the JSON (plain dicts: a 100-row page of nested DRF serializers
costs milliseconds we would rather not spend); the Serializer classes describe the same shape
for the OpenAPI document, and a test keeps the two in step.
"""

from collections.abc import Mapping

from rest_framework import serializers

from sportstats.models import BOX_SCORE_FIELDS

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


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


TEAM_KEYS = ["id", "abbreviation", "city", "conference", "division", "full_name", "name"]
PLAYER_KEYS = ["id", "first_name", "last_name", "position", "height", "weight", "jersey_number"]
GAME_KEYS = ["id", "season", "status", "period", "time"]
GAME_SCORES = ["home_team_score", "visitor_team_score"]
STAT_NUMBERS = ["pts", "reb", "ast", "stl", "blk", "turnover"]
STAT_REBOUNDS = ["oreb", "dreb", "pf"]


def render_team(team: Mapping) -> dict:
    return {key: team[key] for key in TEAM_KEYS}


def _player_fields(player: Mapping) -> dict:
    return {**{key: player[key] for key in PLAYER_KEYS}, "demo": bool(player["demo"])}


def render_player(row: Mapping) -> dict:
    """A row of selectors.PLAYER_PAGE: the player and (LEFT JOIN) their team."""
    team = row["team"]
    return {
        **_player_fields(row[""]),
        "team": render_team(team) if team["id"] is not None else None,
    }


def _game_fields(game: Mapping) -> dict:
    return {
        **{key: game[key] for key in GAME_KEYS},
        "date": _iso(game["date"]),
        "postseason": bool(game["postseason"]),
        **{key: game[key] for key in GAME_SCORES},
        "demo": bool(game["demo"]),
    }


def render_game(row: Mapping) -> dict:
    """A row of selectors.GAME_PAGE."""
    return {
        **_game_fields(row[""]),
        "home_team": render_team(row["home_team"]),
        "visitor_team": render_team(row["visitor_team"]),
    }


def render_stat(row: Mapping) -> dict:
    """A row of selectors.STAT_PAGE."""
    stat, player, game = row[""], row["player"], row["game"]
    # As in balldontlie, the embedded player and game carry team ids rather than whole teams.
    return {
        "id": stat["id"],
        "min": format_minutes(stat["seconds"]),
        **{key: stat[key] for key in STAT_NUMBERS},
        "fgm": stat["fgm"],
        "fga": stat["fga"],
        "fg_pct": ratio(stat["fgm"], stat["fga"]),
        "fg3m": stat["fg3m"],
        "fg3a": stat["fg3a"],
        "fg3_pct": ratio(stat["fg3m"], stat["fg3a"]),
        "ftm": stat["ftm"],
        "fta": stat["fta"],
        "ft_pct": ratio(stat["ftm"], stat["fta"]),
        **{key: stat[key] for key in STAT_REBOUNDS},
        "player": {**_player_fields(player), "team_id": player["team_id"]},
        "team": render_team(row["team"]),
        "game": {
            **_game_fields(game),
            "home_team_id": game["home_team_id"],
            "visitor_team_id": game["visitor_team_id"],
        },
    }


def render_average(row: dict) -> dict:
    """One row of selectors.season_averages, rounded to two places as balldontlie does."""
    return {
        "player_id": row["player_id"],
        "season": row["season"],
        "games_played": row["games_played"],
        "min": format_minutes(row["avg_seconds"] or 0),
        **{name: round(float(row[f"avg_{name}"] or 0), 2) for name in BOX_SCORE_FIELDS},
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
