"""NaN and Infinity are not JSON: every endpoint that reads a JSON body refuses them."""

import pytest

from tests.conftest import NOAUTH_HOST, HostClient
from todos.models import Todo

pytestmark = pytest.mark.mutation

# Each constant sits in a field the endpoint ignores, so only the JSON reader can refuse it.
CONSTANTS = ["NaN", "Infinity", "-Infinity"]


@pytest.mark.django_db
@pytest.mark.parametrize("constant", CONSTANTS)
@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "drf-only"])
def test_a_todo_body_with_a_non_json_number_is_a_parse_error(settings, constant, fast_path):
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "FAST_PATH": fast_path}
    client = HostClient(NOAUTH_HOST)
    response = client.json_call("post", "/todos/alice", raw=f'{{"todo": "milk", "x": {constant}}}')
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"
    assert not Todo.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("constant", CONSTANTS)
def test_a_delete_body_with_a_non_json_number_is_a_parse_error(constant):
    client = HostClient(NOAUTH_HOST)
    client.json_call("post", "/todos/alice", {"todo": "milk"})
    response = client.json_call("delete", "/todos/alice", raw=f'{{"todo_idx": 0, "x": {constant}}}')
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"
    assert list(Todo.objects.values_list("text", flat=True)) == ["milk"]


@pytest.mark.django_db
@pytest.mark.parametrize("constant", CONSTANTS)
def test_a_token_body_with_a_non_json_number_is_not_json(oauth_web, constant):
    body = f'{{"grant_type": "authorization_code", "code": {constant}}}'
    response = oauth_web.generic(
        "POST", "/auth/oauth_exchange", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The request body is not valid JSON.",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"todo": NaN}', "NaN is not valid JSON"),
        ('{"todo": -Infinity}', "-Infinity is not valid JSON"),
        ("[" * 50000, "The JSON is nested too deeply."),
    ],
    ids=["nan", "minus-infinity", "deep-nesting"],
)
def test_the_parse_error_says_what_is_wrong(raw, reason):
    response = HostClient(NOAUTH_HOST).json_call("post", "/todos/alice", raw=raw)
    assert response.json() == {
        "error": "parse_error",
        "detail": f"The request body is not valid JSON: {reason}",
    }
