"""The TODO contract on the no-auth host."""

import pytest


@pytest.mark.django_db
def test_add_list_delete_round_trip(noauth):
    assert noauth.get("/todos/alice").json() == {"todos": []}
    for text in ["milk", "eggs", "bread"]:
        response = noauth.json_call("post", "/todos/alice", {"todo": text})
        assert response.status_code == 201
    assert noauth.get("/todos/alice").json() == {"todos": ["milk", "eggs", "bread"]}
    response = noauth.json_call("delete", "/todos/alice", {"todo_idx": 1})
    assert response.status_code == 200
    assert response.json() == {"todo": "eggs", "todo_idx": 1}
    assert noauth.get("/todos/alice").json() == {"todos": ["milk", "bread"]}
