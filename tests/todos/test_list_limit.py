"""A list holds at most TODO_MAX_ITEMS_PER_LIST todos: a full list refuses addTodo with 409."""

import pytest

from tests.conftest import NOAUTH_HOST, HostClient
from todos import services
from todos.models import Todo

pytestmark = pytest.mark.django_db

LIST_FULL = {
    "error": "list_full",
    "detail": "'alice' already has 3 todos, the most a list may hold; delete one before adding "
    "another.",
}


@pytest.fixture
def limit_of_three(settings):
    settings.TODO_MAX_ITEMS_PER_LIST = 3


@pytest.mark.parametrize("fast_path", [True, False], ids=["short-path", "drf-path"])
def test_a_full_list_refuses_an_add_with_409_and_keeps_its_items(
    settings, limit_of_three, fast_path
):
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "FAST_PATH": fast_path}
    client = HostClient(NOAUTH_HOST)
    added = [client.json_call("post", "/todos/alice", {"todo": f"t{i}"}) for i in range(3)]
    assert [response.status_code for response in added] == [201, 201, 201]
    refused = client.json_call("post", "/todos/alice", {"todo": "one too many"})
    assert refused.status_code == 409
    assert refused.json() == LIST_FULL
    assert client.get("/todos/alice").json() == {"todos": ["t0", "t1", "t2"]}


def test_a_deleted_item_makes_room_and_other_lists_are_not_held_up(limit_of_three):
    client = HostClient(NOAUTH_HOST)
    for i in range(3):
        client.json_call("post", "/todos/alice", {"todo": f"t{i}"})
    assert client.json_call("post", "/todos/bob", {"todo": "bob's"}).status_code == 201
    assert client.json_call("delete", "/todos/alice", {"todo_idx": 0}).status_code == 200
    again = client.json_call("post", "/todos/alice", {"todo": "t3"})
    assert again.json() == {"todo": "t3", "todo_idx": 2}
    assert client.json_call("post", "/todos/alice", {"todo": "t4"}).status_code == 409


def test_the_service_raises_list_full_and_writes_nothing(noauth_plugin, limit_of_three):
    for i in range(3):
        services.add_todo(noauth_plugin, "carol", f"t{i}")
    with pytest.raises(services.ListFull) as refused:
        services.add_todo(noauth_plugin, "carol", "t3")
    assert refused.value.limit == 3
    assert Todo.objects.filter(plugin=noauth_plugin, owner="carol").count() == 3


def test_a_list_longer_than_a_lowered_limit_is_kept_but_takes_no_more(noauth_plugin, settings):
    for i in range(5):
        services.add_todo(noauth_plugin, "dave", f"t{i}")
    settings.TODO_MAX_ITEMS_PER_LIST = 2
    client = HostClient(NOAUTH_HOST)
    assert len(client.get("/todos/dave").json()["todos"]) == 5
    assert client.json_call("post", "/todos/dave", {"todo": "t5"}).status_code == 409


def test_the_spec_documents_the_409():
    spec = HostClient(NOAUTH_HOST).get("/openapi.json").json()
    add = spec["paths"]["/todos/{username}"]["post"]
    assert add["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "409" in add["description"]
