"""Admin for the Sport Stats tables; the stats list avoids COUNT(*) over millions of rows."""

from django.contrib import admin

from sportstats.models import Game, Player, Stat, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """The teams."""

    list_display = ["id", "full_name", "abbreviation", "conference", "division"]
    list_filter = ["conference", "division"]
    search_fields = ["full_name", "abbreviation", "city"]


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    """Players, searchable by name; demo players are flagged."""

    list_display = ["id", "first_name", "last_name", "position", "team", "demo"]
    list_filter = ["demo", "position", "team"]
    search_fields = ["first_name", "last_name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    """Games by date and season."""

    list_display = ["id", "date", "season", "visitor_team", "home_team", "postseason", "demo"]
    list_filter = ["season", "postseason", "demo"]
    list_select_related = ["home_team", "visitor_team"]
    raw_id_fields = ["home_team", "visitor_team"]
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(Stat)
class StatAdmin(admin.ModelAdmin):
    """Box scores; raw id widgets and no full count, since this table gets large."""

    list_display = ["id", "date", "season", "player", "team", "game", "pts", "reb", "ast"]
    list_filter = ["season", "postseason"]
    list_select_related = ["player", "team", "game"]
    raw_id_fields = ["player", "team", "game"]
    search_fields = ["=player__id", "=game__id"]
    show_full_result_count = False
