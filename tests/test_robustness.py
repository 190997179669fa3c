"""NUL bytes, huge numbers and odd encodings in paths, queries, bodies, headers: 4xx, never 500."""

import pytest

from tests.conftest import HostClient

TODO_HOSTS = ["localhost", "todo-service.localhost", "todo-user.localhost", "todo-oauth.localhost"]

BAD_PATHS = [
    "/todos/%00",
    "/todos/a%00b",
    "/todos/" + "9" * 5000,
    "/.well-known/ai-plugin.json%00",
    "/logo.png%00",
    "/oauth%00",
]

# Not UTF-8: Django keeps them percent-encoded, so they are ordinary (odd) usernames.
UNDECODABLE_PATHS = ["/todos/%ff%fe", "/todos/%C0%AF"]

BAD_BODIES = [
    b'{"todo": "\\u0000"}',
    b'{"todo": "a\\u0000"}',
    b'{"todo_idx": 1e400}',
    b'{"todo_idx": -1e400}',
    b'{"todo_idx": ' + b"9" * 5000 + b"}",
    b'{"todo_idx": 99999999999999999999999999999999}',
    b'{"todo": "\\ud800"}',
    b"\x00",
    b'{"todo": "x"}\x00',
    b"[" * 1000 + b"]" * 1000,
]


def assert_client_error(response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert "error" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("host", [*TODO_HOSTS, "sports.localhost"])
@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_paths_get_json_4xx(host, path):
    client = HostClient(host)
    assert_client_error(client.get(path))
    for method in ("post", "delete"):
        assert_client_error(client.json_call(method, path, {"todo": "x", "todo_idx": 0}))


@pytest.mark.django_db
@pytest.mark.parametrize("path", UNDECODABLE_PATHS)
def test_undecodable_paths_are_plain_usernames(noauth, path):
    assert noauth.json_call("post", path, {"todo": "odd"}).status_code == 201
    assert noauth.get(path).json() == {"todos": ["odd"]}
    assert noauth.get("/todos/alice").json() == {"todos": []}


@pytest.mark.django_db
@pytest.mark.parametrize("body", BAD_BODIES)
@pytest.mark.parametrize("method", ["post", "delete"])
def test_bad_bodies_get_json_4xx(noauth, body, method):
    assert_client_error(noauth.json_call(method, "/todos/alice", raw=body))
    assert noauth.get("/todos/alice").json() == {"todos": []}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["x=%00", "todo_idx=" + "9" * 5000, "%00=%00", "a=%ff"])
def test_odd_query_strings_are_ignored_by_the_todo_api(noauth, query):
    response = noauth.get(f"/todos/alice?{query}")
    assert response.status_code == 200
    assert response.json() == {"todos": []}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["todo-service.localhost", "todo-user.localhost", "todo-oauth.localhost"]
)
@pytest.mark.parametrize(
    "authorization",
    ["Bearer \x00", "Bearer a\x00b", "Bearer " + "9" * 5000, "Bearer \xff\xfe", "\x00", "Bearer é"],
    ids=["nul", "inner-nul", "huge", "latin-1", "bare-nul", "non-ascii"],
)
def test_odd_credentials_get_401(host, authorization):
    response = HostClient(host, HTTP_AUTHORIZATION=authorization).get("/todos/alice")
    assert response.status_code == 401
    assert response.json()["error"] in {
        "authentication_failed",
        "not_authenticated",
        "invalid_key",
        "invalid_token",
    }


SPORTS_QUERIES = [
    f"/{path}?{param}={value}"
    for path, names in {
        "players": ["query", "per_page", "cursor"],
        "games": ["seasons", "team_ids", "start_date", "end_date", "limit"],
        "stats": ["player_ids", "game_ids", "seasons[]", "start_date", "cursor"],
        "season_averages": ["season", "player_ids"],
    }.items()
    for param in names
    for value in ["%00", "9" * 5000, "-" + "9" * 40, "1%00"]
    # Digits are a fine name search; only NUL is bad there.
    if param != "query" or "%00" in value
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", SPORTS_QUERIES)
def test_sports_queries_with_nul_and_huge_numbers_get_400(path):
    assert_client_error(HostClient("sports.localhost").get(path))
