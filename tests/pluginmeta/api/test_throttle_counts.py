"""Whose requests share a throttle count (one per plugin and caller, never wider), and the wait."""

import time
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from pluginmeta.api import throttling
from pluginmeta.cache import CacheUnavailable
from tests.conftest import NOAUTH_HOST, USER_HOST, HostClient, make_plugin
from tests.pluginmeta.conftest import keyed, throttle

pytestmark = pytest.mark.mutation


@pytest.fixture(autouse=True)
def mid_window(monkeypatch):
    # 30 s into a minute's window (the epoch is a whole number of minutes before), so that no
    # test's requests straddle two windows and find a fresh count in the second.
    monkeypatch.setattr(time, "time", lambda: 1_000_000_050.0)


def spend(client: HostClient, path: str = "/todos/alice") -> list[int]:
    """Statuses of four GETs: under a 3/min limit, the fourth is refused."""
    return [client.get(path).status_code for _ in range(4)]


@pytest.mark.django_db
def test_each_plugin_counts_its_callers_separately(settings):
    make_plugin("todo-two", "todo-two.localhost")
    throttle(settings, "3/min")
    assert spend(HostClient(NOAUTH_HOST)) == [200, 200, 200, 429]
    # The same address on another plugin's throttled endpoint still has its whole allowance.
    assert spend(HostClient("todo-two.localhost")) == [200, 200, 200, 429]


@pytest.mark.django_db
def test_each_signed_in_user_has_a_count_of_their_own(settings, alice_key, bob_key):
    throttle(settings, "3/min")
    assert spend(keyed(USER_HOST, alice_key), "/todos/alice") == [200, 200, 200, 429]
    # Bob calls from the same address as alice, on the same plugin.
    assert spend(keyed(USER_HOST, bob_key), "/todos/bob") == [200, 200, 200, 429]


@pytest.mark.django_db
@pytest.mark.parametrize("fast_path", [True, False], ids=["short-path", "drf-path"])
def test_each_anonymous_address_has_a_count_of_its_own(settings, fast_path):
    # Each path names the caller itself: the short one before DRF, DRF's throttle class after.
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "FAST_PATH": fast_path}
    throttle(settings, "3/min")
    assert spend(HostClient(NOAUTH_HOST, REMOTE_ADDR="203.0.113.9")) == [200, 200, 200, 429]
    assert spend(HostClient(NOAUTH_HOST, REMOTE_ADDR="198.51.100.7")) == [200, 200, 200, 429]


@pytest.mark.django_db
@pytest.mark.parametrize("fast_path", [True, False], ids=["short-path", "drf-path"])
@pytest.mark.parametrize("rate", ["off", ""])
def test_a_rate_of_off_or_empty_limits_nobody(settings, fast_path, rate):
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "FAST_PATH": fast_path}
    throttle(settings, rate)
    assert spend(HostClient(NOAUTH_HOST)) == [200, 200, 200, 200]


class DownCache:
    """The shared cache while Redis is unreachable."""

    def incr(self, *args, **kwargs):
        raise CacheUnavailable

    add = incr


@pytest.mark.django_db
def test_while_the_shared_cache_is_down_each_address_still_has_its_own_limit(settings, monkeypatch):
    monkeypatch.setattr(throttling, "cache", DownCache())
    monkeypatch.setattr(throttling, "_counts_of_this_process", LocMemCache(uuid.uuid4().hex, {}))
    throttle(settings, "3/min")
    assert spend(HostClient(NOAUTH_HOST, REMOTE_ADDR="203.0.113.9")) == [200, 200, 200, 429]
    assert spend(HostClient(NOAUTH_HOST, REMOTE_ADDR="198.51.100.7")) == [200, 200, 200, 429]


@pytest.mark.django_db
def test_retry_after_is_the_rest_of_the_window(settings):
    throttle(settings, "3/min")
    client = HostClient(NOAUTH_HOST)
    assert spend(client) == [200, 200, 200, 429]
    assert client.get("/todos/alice")["Retry-After"] == "30"
