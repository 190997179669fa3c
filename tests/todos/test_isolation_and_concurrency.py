"""Plugins never see each other's todos, and concurrent deletes never remove the wrong item."""

import threading

import pytest
from django.db import connection

from pluginmeta.models import Plugin
from tests.conftest import HostClient, make_plugin
from todos.models import Todo


@pytest.fixture
def second_noauth_plugin(db) -> HostClient:
    make_plugin("todo-two", "two.localhost", name_for_model="todo_two")
    return HostClient("two.localhost")


@pytest.mark.django_db
def test_two_no_auth_plugins_keep_separate_lists(noauth, second_noauth_plugin):
    noauth.json_call("post", "/todos/global", {"todo": "on the first"})
    second_noauth_plugin.json_call("post", "/todos/global", {"todo": "on the second"})
    assert noauth.get("/todos/global").json() == {"todos": ["on the first"]}
    assert second_noauth_plugin.get("/todos/global").json() == {"todos": ["on the second"]}
    response = second_noauth_plugin.json_call("delete", "/todos/global", {"todo_idx": 0})
    assert response.json()["todo"] == "on the second"
    assert noauth.get("/todos/global").json() == {"todos": ["on the first"]}


@pytest.mark.django_db
def test_hostnames_of_one_plugin_share_its_list(noauth):
    noauth.json_call("post", "/todos/global", {"todo": "shared"})
    assert HostClient("127.0.0.1").get("/todos/global").json() == {"todos": ["shared"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["todo-service.localhost", "todo-user.localhost", "todo-oauth.localhost"]
)
def test_no_auth_data_is_not_reachable_through_authenticated_hosts(noauth, host):
    noauth.json_call("post", "/todos/global", {"todo": "private"})
    client = HostClient(host)
    response = client.get("/todos/global")
    assert response.status_code == 401
    assert "private" not in response.content.decode()
    assert client.json_call("delete", "/todos/global", {"todo_idx": 0}).status_code == 401
    assert noauth.get("/todos/global").json() == {"todos": ["private"]}


@pytest.mark.django_db
def test_sports_host_does_not_serve_the_todo_api(noauth):
    noauth.json_call("post", "/todos/global", {"todo": "private"})
    response = HostClient("sports.localhost").get("/todos/global")
    assert response.status_code == 404
    assert "private" not in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deletes_each_remove_a_distinct_item():
    plugin = Plugin.objects.get(slug="todo")
    Todo.objects.bulk_create(Todo(plugin=plugin, owner="race", text=f"t{i}") for i in range(10))
    deleted: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(5)

    def delete_first() -> None:
        try:
            client = HostClient("localhost")
            barrier.wait()
            response = client.json_call("delete", "/todos/race", {"todo_idx": 0})
            assert response.status_code == 200, response.content
            deleted.append(response.json()["todo"])
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=delete_first) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    # Each delete of index 0 took the then-first item: t0..t4, once each, whatever the order.
    assert sorted(deleted) == ["t0", "t1", "t2", "t3", "t4"]
    remaining = list(
        Todo.objects.filter(owner="race").order_by("id").values_list("text", flat=True)
    )
    assert remaining == ["t5", "t6", "t7", "t8", "t9"]
