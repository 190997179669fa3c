"""The admin lists and edits every Sport Stats table."""

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import SPORTS_HOST, HostClient


@pytest.fixture
def staff(db) -> HostClient:
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-123456")
    client = HostClient(SPORTS_HOST)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["team", "player", "game", "stat"])
def test_admin_lists_and_opens_each_model(staff, league, model):
    listing = staff.get(f"/admin/sportstats/{model}/")
    assert listing.status_code == 200
    first = {"team": 2, "player": 1, "game": 10, "stat": league.stats[0].id}[model]
    assert staff.get(f"/admin/sportstats/{model}/{first}/change/").status_code == 200


def test_admin_marks_demo_players(staff, league):
    from sportstats.models import Player

    Player.objects.filter(id=1).update(demo=True)
    response = staff.get("/admin/sportstats/player/?demo__exact=1")
    assert response.status_code == 200
    assert "Davis" in response.content.decode()
    assert "Tatum" not in response.content.decode()
