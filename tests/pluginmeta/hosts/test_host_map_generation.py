"""The generation (shared cache and file) tells every worker that the host map changed."""

import pytest
from django.core.cache import cache

from pluginmeta.cache import CacheUnavailable
from pluginmeta.hosts import resolver as hosts
from tests.conftest import HostClient, make_plugin

pytestmark = pytest.mark.mutation


@pytest.mark.django_db
def test_a_worker_that_loaded_the_map_earlier_sees_a_new_host(
    django_capture_on_commit_callbacks,
):
    assert HostClient("late.localhost").get("/todos/alice").status_code == 404
    loaded_by_another_worker = hosts._memo.generation
    with django_capture_on_commit_callbacks(execute=True):
        make_plugin("late", "late.localhost")
    # Only the shared cache carries the change to a worker whose map is still fresh.
    hosts._memo.generation = loaded_by_another_worker
    assert HostClient("late.localhost").get("/todos/alice").status_code == 200


@pytest.fixture
def generation_file(settings, tmp_path):
    path = tmp_path / "host-map-generation"
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "HOST_GENERATION_FILE": str(path)}
    return path


def test_a_missing_generation_file_is_made_empty(generation_file):
    assert hosts._file_generation() == (generation_file.stat().st_ino, 0)


def test_each_invalidation_grows_the_file_by_one_byte(generation_file):
    hosts.current_generation()
    hosts.invalidate_host_map()
    hosts.invalidate_host_map()
    assert generation_file.stat().st_size == 2


def test_invalidation_gives_the_shared_cache_a_new_generation(generation_file):
    before = hosts._cache_generation()
    hosts.invalidate_host_map()
    after = cache.get(hosts.GENERATION_KEY)
    assert after is not None
    assert after != before


class DownCache:
    def set(self, *args, **kwargs):
        raise CacheUnavailable


def test_invalidation_while_the_shared_cache_is_down_still_tells_this_machine(
    generation_file, monkeypatch
):
    hosts.current_generation()
    monkeypatch.setattr(hosts, "cache", DownCache())
    hosts.invalidate_host_map()
    assert generation_file.stat().st_size == 1


def test_an_unusable_generation_file_is_reported_once(settings, tmp_path, monkeypatch, caplog):
    path = tmp_path / "no-such-directory" / "host-map-generation"
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "HOST_GENERATION_FILE": str(path)}
    monkeypatch.setattr(hosts._memo, "file_warned", False)
    assert hosts._file_generation() is None
    assert hosts._file_generation() is None
    [record] = [r for r in caplog.records if r.name == hosts.__name__]
    assert record.levelname == "ERROR"
    message = record.getMessage()
    assert message.startswith(
        "cannot use the host map generation file ([Errno 2] No such file or directory"
    )
    assert message.endswith(
        "); other processes' plugin changes are seen through the shared cache or after "
        "PLUGIN_HOST_CACHE_SECONDS"
    )


@pytest.mark.django_db
def test_an_unchanged_map_is_not_loaded_again(django_assert_num_queries):
    hosts.get_host_map()
    with django_assert_num_queries(0):
        hosts.get_host_map()


@pytest.mark.django_db
def test_a_hostname_routes_in_any_case_and_with_the_root_dot():
    assert hosts.plugin_for_hostname("LocalHost.") == hosts.plugin_for_hostname("localhost")
    assert hosts.plugin_for_hostname("localhost") is not None
