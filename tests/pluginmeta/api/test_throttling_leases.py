"""Throttle leases: processes take slots of the shared count in batches, never over the limit."""

import concurrent.futures
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from pluginmeta.api import throttling
from pluginmeta.api.throttling import LEASE_PARTS, Leases, _increment, lease_size

pytestmark = pytest.mark.mutation


def test_lease_size_is_one_below_lease_parts_and_a_fraction_above():
    assert lease_size(1) == lease_size(LEASE_PARTS - 1) == 1
    assert lease_size(600) == 600 // LEASE_PARTS
    assert lease_size(6400) == 100


@pytest.mark.parametrize("limit", [5, 63, 640, 6400])
def test_processes_sharing_a_count_never_admit_more_than_the_limit(limit):
    # Three Leases stand for three worker processes sharing the cache's counter.
    processes = [Leases() for _ in range(3)]
    key = f"throttle:test:{uuid.uuid4().hex}"
    slots = [processes[n % 3].take(key, 1, limit, 60) for n in range(limit * 2)]
    admitted = [slot for slot in slots if slot <= limit]
    assert len(admitted) == len(set(admitted))  # no slot is handed out twice
    assert len(admitted) <= limit
    # What is lost is at most the unused rest of one lease per process.
    assert len(admitted) >= limit - 3 * (lease_size(limit) - 1)
    if lease_size(limit) == 1:
        assert len(admitted) == limit


def test_a_spent_window_refuses_without_asking_the_cache_again():
    process = Leases()
    key = f"throttle:test:{uuid.uuid4().hex}"
    assert [process.take(key, 1, 2, 60) for _ in range(3)] == [1, 2, 3]
    cache.clear()  # had it asked, the emptied counter would hand out slot 1
    assert process.take(key, 1, 2, 60) == 3


def test_windows_count_separately():
    process = Leases()
    key = f"throttle:test:{uuid.uuid4().hex}"
    assert process.take(key + ":1", 1, 1, 60) == 1
    assert process.take(key + ":2", 2, 1, 60) == 1


def test_past_windows_are_forgotten_once_many_callers_were_seen():
    # Every caller and window leaves an entry; past windows' entries must not pile up.
    process = Leases()
    key = f"throttle:test:{uuid.uuid4().hex}"
    for caller in range(1100):
        assert process.take(f"{key}:{caller}:1", 1, 5, 60) == 1
    assert process.take(f"{key}:0:2", 2, 5, 60) == 1
    assert process.take(f"{key}:0:2", 2, 5, 60) == 2
    assert len(process._free) == 1


class RacingCache(LocMemCache):
    """A cache where another process's first lease of the window lands just before ours."""

    raced = False

    def incr(self, key, delta=1, version=None):
        if not self.raced:
            self.raced = True
            self.add(key, delta, version=version)
            raise ValueError(key)
        return super().incr(key, delta, version)


def test_the_loser_of_the_first_lease_race_gets_the_slots_after_the_winners():
    counts = RacingCache(uuid.uuid4().hex, {})
    assert _increment(counts, "k", 9, 60) == 18


def test_a_window_count_outlives_its_window_and_then_expires():
    counts = LocMemCache(uuid.uuid4().hex, {})
    assert _increment(counts, "k", 1, 60) == 1
    expires_in = counts._expire_info[counts.make_and_validate_key("k")] - time.time()
    assert 59 < expires_in <= 120


class SlowCache(LocMemCache):
    """A shared cache a round trip away: other threads run while a lease is being taken."""

    def incr(self, key, delta=1, version=None):
        time.sleep(0.005)
        return super().incr(key, delta, version)


def test_threads_of_one_process_lose_no_slots(monkeypatch):
    # WEB_THREADS > 1: threads that run out of slots together must not each lease and then
    # replace one another's unused slots.
    monkeypatch.setattr(throttling, "cache", SlowCache(uuid.uuid4().hex, {}))
    process = Leases()
    key = f"throttle:test:{uuid.uuid4().hex}"
    limit = 640  # leases of 10

    def take_many(_: int) -> list[int]:
        slots = []
        for _ in range(160):
            slots.append(process.take(key, 1, limit, 60))
            time.sleep(0.001)  # the request's own work, while the lease's other slots wait
        return slots

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        slots = [slot for taken in pool.map(take_many, range(8)) for slot in taken]
    admitted = [slot for slot in slots if slot <= limit]
    assert len(admitted) == len(set(admitted)) == limit
