"""sync_sportstats against a fake balldontlie server running on 127.0.0.1 in a thread."""

import time

import pytest
from django.core.management import CommandError, call_command

from sportstats.models import Game, Player, Stat, Team
from tests.helpers.upstream import PLAYERS, STATS, FakeUpstream


@pytest.fixture
def upstream():
    with FakeUpstream() as server:
        yield server


def run_sync(server: FakeUpstream, *extra: str) -> None:
    call_command(
        "sync_sportstats", "--base-url", server.url, "--per-page", "3", "--backoff", "0",
        "--seasons", "2022", "2023", *extra, verbosity=0,
    )  # fmt: skip


def expected_stats(seasons=(2022, 2023)) -> set[int]:
    return {s["id"] for s in STATS if s["game"]["season"] in seasons}


@pytest.mark.django_db
def test_sync_pulls_every_page_and_is_idempotent(upstream, sports):
    run_sync(upstream)
    assert set(Team.objects.values_list("id", flat=True)) == {1, 2, 3}
    assert Player.objects.count() == len(PLAYERS)
    assert set(Game.objects.values_list("season", flat=True)) == {2022, 2023}
    assert set(Stat.objects.values_list("id", flat=True)) == expected_stats()
    # Pagination really happened: several stats requests, each after the first with a cursor.
    stats_requests = [q for p, q in upstream.requests if p == "stats"]
    assert len(stats_requests) == -(-len(expected_stats()) // 3)
    assert all("cursor" in q for q in stats_requests[1:])
    assert stats_requests[0]["seasons[]"] == ["2022", "2023"]

    before = list(Stat.objects.order_by("id").values())
    run_sync(upstream)
    assert list(Stat.objects.order_by("id").values()) == before
    # And the synced data is served.
    row = sports.get(f"/stats?player_ids={PLAYERS[0]['id']}&per_page=1").json()["data"][0]
    assert row["player"]["first_name"] == "First0"


@pytest.mark.django_db
def test_sync_follows_v1_page_numbers():
    with FakeUpstream(paging="page") as server:
        run_sync(server)
    assert set(Stat.objects.values_list("id", flat=True)) == expected_stats()
    assert any("page" in q for p, q in server.requests if p == "players")


@pytest.mark.django_db
def test_sync_sends_the_api_key():
    with FakeUpstream(api_key="s3cret") as server:
        run_sync(server, "--api-key", "s3cret")
    assert Team.objects.count() == 3


@pytest.mark.django_db
def test_sync_stops_at_once_on_an_auth_failure():
    with (
        FakeUpstream(api_key="s3cret") as server,
        pytest.raises(CommandError, match=r"HTTP 401.*--api-key"),
    ):
        run_sync(server, "--api-key", "wrong")
    assert len(server.requests) == 1  # no retries: the key will not get better
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_sync_retries_429_and_5xx(upstream):
    upstream.script["teams"] = [503, 500, ("retry-after", 0)]
    upstream.script["stats"] = [502]
    run_sync(upstream)
    assert [p for p, _ in upstream.requests].count("teams") == 4
    assert set(Stat.objects.values_list("id", flat=True)) == expected_stats()


@pytest.mark.django_db
def test_sync_gives_up_after_its_retries(upstream):
    upstream.script["players"] = [500] * 10
    with pytest.raises(CommandError, match=r"GET players failed after 3 attempts \(HTTP 500\)"):
        run_sync(upstream, "--retries", "2")
    assert [p for p, _ in upstream.requests].count("players") == 3
    # What came before the failure is kept.
    assert Team.objects.count() == 3


@pytest.mark.django_db
def test_sync_times_out_instead_of_hanging(upstream):
    upstream.script["teams"] = [("sleep", 1.0), ("sleep", 1.0)]
    started = time.monotonic()
    with pytest.raises(CommandError, match="timed out"):
        run_sync(upstream, "--timeout", "0.2", "--retries", "1")
    assert time.monotonic() - started < 1.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "message"),
    [
        (404, "HTTP 404"),
        (("body", "<html>oops</html>"), "did not answer JSON"),
        (("body", '{"items": []}'), "did not answer"),
    ],
)
def test_sync_reports_unusable_answers(upstream, step, message):
    upstream.script["teams"] = [step]
    with pytest.raises(CommandError, match=message):
        run_sync(upstream)


@pytest.mark.django_db
def test_sync_reports_an_unreachable_server():
    with FakeUpstream() as server:
        url = server.url
    with pytest.raises(CommandError, match="network error"):
        call_command(
            "sync_sportstats", "--base-url", url, "--retries", "1", "--backoff", "0",
            verbosity=0,
        )  # fmt: skip


def test_sync_needs_an_http_url():
    with pytest.raises(CommandError, match="--base-url"):
        call_command("sync_sportstats", "--base-url", "ftp://x", verbosity=0)
