"""URLs of the Sport Stats API (mounted on every Sport Stats plugin host)."""

from django.urls import path

from sportstats import views

urlpatterns = [
    path("players", views.PlayersView.as_view(), name="sportstats-players"),
    path("teams", views.TeamsView.as_view(), name="sportstats-teams"),
    path("games", views.GamesView.as_view(), name="sportstats-games"),
    path("stats", views.StatsView.as_view(), name="sportstats-stats"),
    path("season_averages", views.SeasonAveragesView.as_view(), name="sportstats-averages"),
]
