"""The TODO contract of README.md ("TODO API") on the no-auth host, bad inputs included."""

import pytest

from todos.models import TODO_MAX_LENGTH, Todo

pytestmark = pytest.mark.mutation


def todos_of(client, owner: str = "alice") -> list[str]:
    response = client.get(f"/todos/{owner}")
    assert response.status_code == 200
    return response.json()["todos"]


@pytest.fixture(autouse=True, params=["fast-path", "drf-only"])
def _either_path(request, settings):
    # Plainly valid calls take pluginmeta.api.fastpath unless it is off: hold both to the contract.
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "FAST_PATH": request.param == "fast-path"}


@pytest.fixture
def three(noauth):
    for text in ["milk", "eggs", "bread"]:
        assert noauth.json_call("post", "/todos/alice", {"todo": text}).status_code == 201
    return noauth


@pytest.mark.django_db
def test_unknown_user_has_an_empty_list(noauth):
    response = noauth.get("/todos/nobody")
    assert response.status_code == 200
    assert response.json() == {"todos": []}


@pytest.mark.django_db
def test_add_returns_the_todo_and_its_index(noauth):
    first = noauth.json_call("post", "/todos/alice", {"todo": "milk"})
    second = noauth.json_call("post", "/todos/alice", {"todo": "eggs"})
    assert first.status_code == second.status_code == 201
    assert first.json() == {"todo": "milk", "todo_idx": 0}
    assert second.json() == {"todo": "eggs", "todo_idx": 1}


@pytest.mark.django_db
def test_list_keeps_insertion_order(three):
    assert todos_of(three) == ["milk", "eggs", "bread"]


@pytest.mark.django_db
@pytest.mark.parametrize(("index", "left"), [(0, ["eggs", "bread"]), (2, ["milk", "eggs"])])
def test_delete_by_index(three, index, left):
    response = three.json_call("delete", "/todos/alice", {"todo_idx": index})
    assert response.status_code == 200
    assert response.json()["todo_idx"] == index
    assert todos_of(three) == left


@pytest.mark.django_db
def test_owners_have_separate_lists(three):
    three.json_call("post", "/todos/bob", {"todo": "bob's"})
    assert todos_of(three, "bob") == ["bob's"]
    assert todos_of(three) == ["milk", "eggs", "bread"]


@pytest.mark.django_db
def test_unicode_and_url_encoded_usernames(noauth):
    assert (
        noauth.json_call("post", "/todos/J%C3%BCrgen%20M", {"todo": "café ☕"}).status_code == 201
    )
    assert todos_of(noauth, "Jürgen M") == ["café ☕"]


@pytest.mark.django_db
def test_text_at_the_length_limit_is_accepted(noauth):
    response = noauth.json_call("post", "/todos/alice", {"todo": "x" * TODO_MAX_LENGTH})
    assert response.status_code == 201


BAD_ADDS = [
    pytest.param({}, "todo", id="missing"),
    pytest.param({"todo": None}, "todo", id="null"),
    pytest.param({"todo": 123}, "todo", id="number"),
    pytest.param({"todo": True}, "todo", id="bool"),
    pytest.param({"todo": ["a"]}, "todo", id="list"),
    pytest.param({"todo": {"a": 1}}, "todo", id="object"),
    pytest.param({"todo": ""}, "todo", id="empty"),
    pytest.param({"todo": "   "}, "todo", id="blank"),
    pytest.param({"todo": "x" * (TODO_MAX_LENGTH + 1)}, "todo", id="too-long"),
    pytest.param({"todo": "a\x00b"}, "todo", id="nul-byte"),
    pytest.param(["milk"], None, id="array-body"),
    pytest.param("milk", None, id="string-body"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), BAD_ADDS)
def test_bad_add_is_a_400_and_changes_nothing(three, body, field):
    response = three.json_call("post", "/todos/alice", body)
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "invalid"
    assert error["detail"]
    if field:
        assert field in error["fields"]
    assert todos_of(three) == ["milk", "eggs", "bread"]


BAD_DELETES = [
    pytest.param({}, 400, id="missing"),
    pytest.param({"todo_idx": "1"}, 400, id="string"),
    pytest.param({"todo_idx": 1.5}, 400, id="float"),
    pytest.param({"todo_idx": 3.0}, 404, id="float-whole-past-the-end"),
    pytest.param({"todo_idx": 1e300}, 404, id="float-whole-huge"),
    pytest.param({"todo_idx": True}, 400, id="bool"),
    pytest.param({"todo_idx": None}, 400, id="null"),
    pytest.param({"todo_idx": [0]}, 400, id="list"),
    pytest.param({"todo_idx": -1}, 400, id="negative"),
    pytest.param({"todo_idx": 3}, 404, id="past-the-end"),
    pytest.param({"todo_idx": 10**30}, 404, id="huge"),
    pytest.param([0], 400, id="array-body"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "status"), BAD_DELETES)
def test_bad_delete_is_a_4xx_and_changes_nothing(three, body, status):
    response = three.json_call("delete", "/todos/alice", body)
    assert response.status_code == status
    assert response.json()["error"] in {"invalid", "not_found"}
    assert todos_of(three) == ["milk", "eggs", "bread"]


@pytest.mark.django_db
def test_delete_for_unknown_user_is_404_json(three):
    response = three.json_call("delete", "/todos/nobody", {"todo_idx": 0})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert Todo.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ('{"todo": "milk"', "parse_error"),
        ("not json", "parse_error"),
        ('{"todo": NaN}', "parse_error"),
        ("\xff\xfe", "parse_error"),
        ("", "invalid"),  # no body reads as no fields: "todo" is missing
        ("[" * 50000, "parse_error"),
    ],
    ids=["truncated", "text", "nan", "bad-utf8", "empty", "deep-nesting"],
)
def test_malformed_json_is_a_400(three, raw, error):
    response = three.json_call("post", "/todos/alice", raw=raw.encode("latin-1"))
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert Todo.objects.count() == 3


@pytest.mark.django_db
def test_oversized_body_is_a_413(three, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = three.json_call("post", "/todos/alice", {"todo": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert Todo.objects.count() == 3


@pytest.mark.django_db
def test_non_json_content_type_is_a_415(three):
    response = three.post("/todos/alice", data={"todo": "milk"})  # multipart form
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert Todo.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username", ["x" * 151, "a%00b", "tab%09name"], ids=["too-long", "nul", "control"]
)
def test_bad_usernames_are_a_400(three, username):
    for method, body in [("get", None), ("post", {"todo": "x"}), ("delete", {"todo_idx": 0})]:
        response = three.json_call(method, f"/todos/{username}", body)
        assert response.status_code == 400, method
        assert "username" in response.json()["fields"]
    assert Todo.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch"])
def test_other_methods_are_405_json(three, method):
    response = three.json_call(method, "/todos/alice", {"todo": "x"})
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
