"""The shared generation number tells every worker that the host map changed."""

import pytest

from pluginmeta.hosts import resolver as hosts
from tests.conftest import HostClient, make_plugin


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
