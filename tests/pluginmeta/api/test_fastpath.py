"""The short path past DRF (pluginmeta.api.fastpath): same answers, taken only where it may be."""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import SERVICE_HOST, HostClient
from todos.models import TODO_MAX_LENGTH
from todos.serializers import AddTodoSerializer, is_plain_todo_text
from todos.views import TodoViewSet

pytestmark = pytest.mark.mutation


@pytest.fixture
def full_path_calls(monkeypatch) -> list[str]:
    """The names of the DRF viewset actions that ran, in order."""
    calls: list[str] = []
    for action in ("get_todos", "add_todo"):
        original = getattr(TodoViewSet, action)

        def spy(self, request, *args, _original=original, _action=action, **kwargs):
            calls.append(_action)
            return _original(self, request, *args, **kwargs)

        monkeypatch.setattr(TodoViewSet, action, spy)
    return calls


def fast_path(settings, on: bool) -> None:
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "FAST_PATH": on}


def throttle(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"plugin": rate},
    }


@pytest.mark.django_db
def test_plainly_valid_calls_on_the_no_auth_host_skip_drf(noauth, full_path_calls):
    assert noauth.json_call("post", "/todos/alice", {"todo": "milk"}).status_code == 201
    assert noauth.get("/todos/alice").json() == {"todos": ["milk"]}
    assert full_path_calls == []


@pytest.mark.django_db
def test_with_the_fast_path_off_every_call_goes_through_drf(noauth, full_path_calls, settings):
    fast_path(settings, False)
    assert noauth.json_call("post", "/todos/alice", {"todo": "milk"}).status_code == 201
    assert noauth.get("/todos/alice").json() == {"todos": ["milk"]}
    assert full_path_calls == ["add_todo", "get_todos"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("post", {"todo": "été \u2028 \U0001f600 <b>"})],
    ids=["getTodos", "addTodo"],
)
def test_both_paths_send_the_same_status_headers_and_bytes(noauth, settings, method, body):
    answers = []
    for on, owner in ((True, "fast"), (False, "full")):
        fast_path(settings, on)
        noauth.json_call("post", f"/todos/{owner}", {"todo": "first"})
        response = noauth.json_call(method, f"/todos/{owner}", body)
        headers = {name: response.get(name) for name in ("Content-Type", "Allow", "Vary")}
        answers.append((response.status_code, headers, response.content))
    assert answers[0] == answers[1]
    assert answers[0][1]["Allow"] == "GET, POST, DELETE, HEAD, OPTIONS"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("{", "parse_error"),
        ("[]", "invalid"),
        ('{"todo": 5}', "invalid"),
        ('{"todo": ""}', "invalid"),
        ('{"todo": "   "}', "invalid"),
        ('{"todo": "a\\u0000b"}', "invalid"),
        ('{"todo": "\\ud800"}', "invalid"),
        ('{"todo": NaN}', "parse_error"),
        ("x" * 10, "parse_error"),
        ('{"todo": "' + "a" * (TODO_MAX_LENGTH + 1) + '"}', "invalid"),
    ],
)
def test_bad_bodies_take_drf_and_get_its_error(noauth, full_path_calls, raw, error):
    response = noauth.json_call("post", "/todos/alice", raw=raw)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert full_path_calls == ["add_todo"]
    assert noauth.get("/todos/alice").json() == {"todos": []}


@pytest.mark.django_db
def test_a_form_body_takes_drf_and_gets_415(noauth, full_path_calls):
    response = noauth.post("/todos/alice", data="todo=milk", content_type="text/plain")
    assert response.status_code == 415
    assert full_path_calls == ["add_todo"]


@pytest.mark.django_db
def test_a_request_that_falls_back_is_counted_once(noauth, settings):
    throttle(settings, "3/min")
    bad = [noauth.json_call("post", "/todos/alice", raw="{").status_code for _ in range(3)]
    assert bad == [400, 400, 400]
    refused = noauth.get("/todos/alice")
    assert refused.status_code == 429
    assert refused.json()["error"] == "throttled"
    assert int(refused["Retry-After"]) >= 1


@pytest.mark.django_db
def test_a_throttled_fast_call_gets_drf_429(noauth, settings, full_path_calls):
    throttle(settings, "2/min")
    statuses = [noauth.get("/todos/alice").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert full_path_calls == []  # DRF refused it before reaching the action


@pytest.mark.django_db
def test_hosts_with_credentials_always_take_drf(full_path_calls, service_key):
    client = HostClient(SERVICE_HOST, HTTP_AUTHORIZATION=f"Bearer {service_key}")
    assert client.get("/todos/alice").status_code == 200
    assert HostClient(SERVICE_HOST).get("/todos/alice").status_code == 401
    assert full_path_calls == ["get_todos"]


TODO_VALUES = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\x00a"), max_size=6),
    st.integers(TODO_MAX_LENGTH - 2, TODO_MAX_LENGTH + 2).map(lambda n: "b" * n),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "", " ", None, True, 0, 1.5]),
    st.lists(st.text(max_size=3), max_size=2),
)


@given(TODO_VALUES)
@hypothesis_settings(max_examples=400, deadline=None)
def test_plain_text_check_agrees_with_the_serializer(value):
    # The short path only takes what the serializer would take as it is.
    serializer = AddTodoSerializer(data={"todo": value})
    accepted = serializer.is_valid() and serializer.validated_data["todo"] == value
    assert is_plain_todo_text(value) == accepted


@pytest.fixture
def writes(monkeypatch) -> list[str]:
    """The texts services.add_todo was called with, whichever path called it."""
    from todos import services

    written: list[str] = []
    original = services.add_todo

    def spy(plugin, owner, text):
        written.append(text)
        return original(plugin, owner, text)

    monkeypatch.setattr(services, "add_todo", spy)
    return written


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "raw", "status", "rows"),
    [
        ("/todos/alice", '{"todo": "once"}', 201, 1),
        ("/todos/alice", '{"todo": " padded "}', 201, 1),
        ("/todos/alice", '{"todo": ""}', 400, 0),
        ("/todos/alice", '{"todo": "x", "todo": 5}', 400, 0),
        ("/todos/alice", '["not", "an", "object"]', 400, 0),
        ("/todos/bad%01name", '{"todo": "x"}', 400, 0),
    ],
)
def test_a_request_writes_at_most_once_whichever_path_answers(
    noauth, writes, path, raw, status, rows
):
    # The short path's contract: a handler raises TakeFullPath or an APIException only before
    # it writes, because the full view then runs the whole request again.
    response = noauth.json_call("POST", path, raw=raw)
    assert response.status_code == status
    assert len(writes) == rows
    assert len(noauth.get("/todos/alice").json()["todos"]) == rows
