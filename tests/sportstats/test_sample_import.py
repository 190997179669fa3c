"""The sample file the manual imports: it loads, reloads without change, and is served."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from sportstats.models import Game, Player, Stat, Team

SAMPLE = Path(__file__).resolve().parents[2] / "sportstats" / "data" / "sample_import.json"
PLUGINS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def import_sample() -> str:
    out = io.StringIO()
    call_command("import_sportstats", str(SAMPLE), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_sample_imports_into_an_empty_database_and_again_without_change(sports):
    assert import_sample() == f"{SAMPLE}: upserted 2 teams, 4 players, 2 games, 8 stats\n"
    before = [list(model.objects.order_by("id").values()) for model in (Team, Player, Game, Stat)]
    import_sample()
    after = [list(model.objects.order_by("id").values()) for model in (Team, Player, Game, Stat)]
    assert after == before

    players = sports.get("/players?query=sample").json()["data"]
    assert [p["first_name"] for p in players] == ["Ava", "Ben", "Cy", "Dee"]
    averages = sports.get("/season_averages?season=2018&player_ids[]=900001").json()["data"]
    assert averages[0]["games_played"] == 2


def test_the_manual_documents_every_field_the_sample_uses():
    document = json.loads(SAMPLE.read_text())
    page = PLUGINS_PAGE.read_text()
    section = page[page.index("### Import file format") :]
    section = section.split("\n## ", 1)[0]
    for records in document.values():
        for field in {key for record in records for key in record}:
            assert f"`{field}`" in section, field
