"""Postgres only: a covering index so season averages are an index-only scan."""

from django.db import migrations

AVERAGED = [
    "seconds", "pts", "reb", "ast", "stl", "blk", "turnover", "pf",
    "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
]


def create(apps, schema_editor):
    # SQLite has no INCLUDE; Django's Index(include=...) would warn there on every migrate.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS stat_averages_covering ON sportstats_stat "
            f"(player_id, season, postseason) INCLUDE ({', '.join(AVERAGED)})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS stat_averages_covering")


class Migration(migrations.Migration):
    dependencies = [("sportstats", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
