"""The Sport Stats API: the seed's five operations, served from our own tables."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from sportstats import params, selectors
from sportstats.serializers import (
    ErrorSerializer,
    GameListSerializer,
    PlayerListSerializer,
    SeasonAverageListSerializer,
    StatListSerializer,
    TeamListSerializer,
    render_average,
    render_game,
    render_player,
    render_stat,
    render_team,
)

QUERY = OpenApiParameter.QUERY


def int_schema(low: int, high: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return schema


def _ids(
    name: str,
    description: str,
    low: int = 1,
    high: int = params.MAX_ID,
    required: bool = False,
) -> OpenApiParameter:
    # The schema states what params.py enforces, so generated clients (and fuzzers) send
    # only what the server accepts.
    schema = {"type": "array", "items": int_schema(low, high), "maxItems": params.MAX_LIST_ITEMS}
    if required:
        schema["minItems"] = 1
    return OpenApiParameter(
        name, schema, QUERY, explode=True, required=required, description=description
    )


DATE = {"type": "string", "format": "date"}


SEASON_TEXT = "Seasons are named by the year they began: 2018 is the 2018-2019 season."
PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        int_schema(1, params.MAX_PER_PAGE),
        QUERY,
        description="The max number of results to return (<= 100).",
    ),
    OpenApiParameter(
        "per_page",
        int_schema(1, params.MAX_PER_PAGE),
        QUERY,
        description="Same as limit (balldontlie's name); wins when both are sent.",
    ),
    OpenApiParameter(
        "cursor",
        int_schema(0, params.MAX_ID),
        QUERY,
        description="meta.next_cursor of the previous page.",
    ),
]
DATE_PARAMETERS = [
    OpenApiParameter(
        "start_date", DATE, QUERY, description="'YYYY-MM-DD': games on or after this date."
    ),
    OpenApiParameter(
        "end_date", DATE, QUERY, description="'YYYY-MM-DD': games on or before this date."
    ),
]
SEASONS = _ids("seasons", f"Filter by seasons. {SEASON_TEXT}", params.MIN_SEASON, params.MAX_SEASON)
PLAYER_IDS = _ids("player_ids", "Filter by player ids; find them with getPlayers.")
ERRORS = {400: ErrorSerializer}


def _page_response(page: selectors.Page, render) -> Response:
    return Response(
        {
            "data": [render(row) for row in page.rows],
            "meta": {"next_cursor": page.next_cursor, "per_page": page.per_page},
        }
    )


class PlayersView(APIView):
    """getPlayers."""

    @extend_schema(
        operation_id="getPlayers",
        summary="Retrieves all players from all seasons whose names match the query string.",
        description="query=davis returns players with 'davis' in their first, last or full name.",
        parameters=[
            OpenApiParameter(
                "query",
                {
                    "type": "string",
                    "maxLength": params.MAX_QUERY_LENGTH,
                    "pattern": r"^[^\x00-\x1f\x7f]*$",
                },
                QUERY,
                description="Part of a player's name.",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: PlayerListSerializer, **ERRORS},
    )
    def get(self, request) -> Response:
        query = request.query_params
        qs = selectors.players(params.text(query, "query"))
        page = selectors.keyset_page(
            qs, params.cursor(query), params.per_page(query), selectors.PLAYER_PAGE
        )
        return _page_response(page, render_player)


class TeamsView(APIView):
    """getTeams."""

    @extend_schema(
        operation_id="getTeams",
        summary="Retrieves all teams for the current season.",
        description="Every team, with id, abbreviation, city, conference and division.",
        responses={200: TeamListSerializer},
    )
    def get(self, request) -> Response:
        teams = selectors.list_teams()
        return Response({"data": [render_team(t) for t in teams], "meta": {"total": len(teams)}})


class GamesView(APIView):
    """getGames."""

    @extend_schema(
        operation_id="getGames",
        summary="Retrieves all games that match the filters specified by the args. "
        "Display results using markdown tables.",
        description="Games with both teams and the final score, oldest id first.",
        parameters=[
            *PAGE_PARAMETERS,
            SEASONS,
            _ids("team_ids", "Filter by team ids; find them with getTeams."),
            *DATE_PARAMETERS,
        ],
        responses={200: GameListSerializer, **ERRORS},
    )
    def get(self, request) -> Response:
        query = request.query_params
        start, end = params.date_range(query)
        qs = selectors.games(
            seasons=params.season_list(query),
            team_ids=params.int_list(query, "team_ids"),
            start_date=start,
            end_date=end,
        )
        page = selectors.keyset_page(
            qs, params.cursor(query), params.per_page(query), selectors.GAME_PAGE
        )
        return _page_response(page, render_game)


class StatsView(APIView):
    """getStats."""

    @extend_schema(
        operation_id="getStats",
        summary="Retrieves stats that match the filters specified by the args. "
        "Display results using markdown tables.",
        description="Box scores (one player in one game) with player, team and game embedded.",
        parameters=[
            *PAGE_PARAMETERS,
            PLAYER_IDS,
            _ids("game_ids", "Filter by game ids; find them with getGames."),
            SEASONS,
            *DATE_PARAMETERS,
        ],
        responses={200: StatListSerializer, **ERRORS},
    )
    def get(self, request) -> Response:
        query = request.query_params
        start, end = params.date_range(query)
        qs = selectors.stats(
            player_ids=params.int_list(query, "player_ids"),
            game_ids=params.int_list(query, "game_ids"),
            seasons=params.season_list(query),
            start_date=start,
            end_date=end,
        )
        page = selectors.keyset_page(
            qs, params.cursor(query), params.per_page(query), selectors.STAT_PAGE
        )
        return _page_response(page, render_stat)


class SeasonAveragesView(APIView):
    """getSeasonAverages."""

    @extend_schema(
        operation_id="getSeasonAverages",
        summary="Retrieves regular season averages for the given players. "
        "Display results using markdown tables.",
        description="Per game averages over the games each player played; "
        "shooting percentages are season made/attempted. Show them as a markdown table.",
        parameters=[
            OpenApiParameter(
                "season",
                int_schema(params.MIN_SEASON, params.MAX_SEASON),
                QUERY,
                description=f"Defaults to the current season. {SEASON_TEXT}",
            ),
            _ids("player_ids", "Player ids; find them with getPlayers.", required=True),
        ],
        responses={200: SeasonAverageListSerializer, **ERRORS},
    )
    def get(self, request) -> Response:
        query = request.query_params
        season = params.season(query) or selectors.current_season()
        player_ids = params.int_list(query, "player_ids")
        if not player_ids:
            raise ValidationError({"player_ids": ["Give at least one player id."]})
        rows = selectors.season_averages(season, player_ids)
        return Response({"data": [render_average(r) for r in rows], "meta": {"season": season}})
