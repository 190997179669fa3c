"""user_http: each user's own keys; the owner of the todos is the key's user and nobody else."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from pluginmeta.models.keys import UserKey
from tests.conftest import NOAUTH_HOST, SERVICE_HOST, USER_HOST, HostClient, make_plugin
from tests.helpers.keys import assert_401, bad_headers
from tests.pluginmeta.conftest import keyed, last_line
from todos.models import Todo

pytestmark = pytest.mark.mutation


def todos_of(username: str, plugin) -> list[str]:
    return list(
        Todo.objects.filter(plugin=plugin, owner=username)
        .order_by("id")
        .values_list("text", flat=True)
    )


@pytest.mark.django_db
def test_a_user_manages_their_own_list(alice):
    assert alice.get("/todos/alice").json() == {"todos": []}
    assert alice.json_call("post", "/todos/alice", {"todo": "milk"}).status_code == 201
    assert alice.json_call("post", "/todos/alice", {"todo": "eggs"}).status_code == 201
    assert alice.json_call("delete", "/todos/alice", {"todo_idx": 0}).json() == {
        "todo": "milk",
        "todo_idx": 0,
    }
    assert alice.get("/todos/alice").json() == {"todos": ["eggs"]}


@pytest.mark.django_db
def test_two_users_cannot_read_add_to_or_delete_from_each_other(alice, bob, user_plugin):
    alice.json_call("post", "/todos/alice", {"todo": "alice's secret"})
    bob.json_call("post", "/todos/bob", {"todo": "bob's secret"})
    for me, other in [(alice, "bob"), (bob, "alice")]:
        read = me.get(f"/todos/{other}")
        add = me.json_call("post", f"/todos/{other}", {"todo": "planted"})
        delete = me.json_call("delete", f"/todos/{other}", {"todo_idx": 0})
        for response in (read, add, delete):
            assert response.status_code == 403, response.content
            assert response.json() == {
                "error": "permission_denied",
                "detail": "You can only access your own data.",
            }
    assert todos_of("alice", user_plugin) == ["alice's secret"]
    assert todos_of("bob", user_plugin) == ["bob's secret"]
    assert alice.get("/todos/alice").json() == {"todos": ["alice's secret"]}
    assert bob.get("/todos/bob").json() == {"todos": ["bob's secret"]}


@pytest.mark.django_db
def test_path_names_that_only_look_like_the_user_are_refused(alice):
    for name in ["Alice", "alice ", "alice%20", "alic"]:
        response = alice.get(f"/todos/{name}")
        assert response.status_code == 403, name
        assert response.json()["error"] == "permission_denied"


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_scheme_is_case_insensitive(alice_key, scheme):
    assert keyed(USER_HOST, alice_key, scheme=scheme).get("/todos/alice").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(bad_headers("abcdefgh.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")))
def test_bad_credentials_get_401(alice_key, case):
    header = bad_headers(alice_key)[case]
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    client = HostClient(USER_HOST, **extra)
    assert_401(client.get("/todos/alice"))
    assert_401(client.json_call("post", "/todos/alice", {"todo": "x"}))


@pytest.mark.django_db
def test_a_revoked_key_is_refused_on_the_very_next_request(alice, alice_key, user_key):
    assert alice.get("/todos/alice").status_code == 200
    UserKey.objects.filter(prefix=alice_key.split(".")[0]).update(revoked=True)
    assert_401(alice.get("/todos/alice"))
    # Another key of the same user still works: revoking is per key.
    assert keyed(USER_HOST, user_key("alice")).get("/todos/alice").status_code == 200


@pytest.mark.django_db
def test_an_expired_key_is_refused(alice, alice_key):
    UserKey.objects.filter(prefix=alice_key.split(".")[0]).update(expiry_date=timezone.now())
    assert_401(alice.get("/todos/alice"))


@pytest.mark.django_db
def test_an_inactive_user_is_refused(alice):
    get_user_model().objects.filter(username="alice").update(is_active=False)
    assert_401(alice.get("/todos/alice"))


@pytest.mark.django_db
def test_a_deleted_user_key_is_refused(alice):
    get_user_model().objects.filter(username="alice").delete()
    assert_401(alice.get("/todos/alice"))


@pytest.mark.django_db
def test_user_keys_stay_on_their_plugin(alice_key, user_plugin):
    make_plugin("other-user", "other-user.localhost", "user_http")
    other_key = last_line("plugin_user_key", "alice", "--host", "other-user.localhost")
    assert_401(keyed("other-user.localhost", alice_key).get("/todos/alice"))
    assert_401(keyed(USER_HOST, other_key).get("/todos/alice"))
    assert keyed("other-user.localhost", other_key).get("/todos/alice").status_code == 200
    # A user key is no service key, and no-auth hosts ignore it.
    assert_401(keyed(SERVICE_HOST, alice_key).get("/todos/alice"))


@pytest.mark.django_db
def test_no_auth_data_is_not_visible_through_the_user_host(alice, noauth_client):
    noauth_client.json_call("post", "/todos/alice", {"todo": "public alice"})
    assert alice.get("/todos/alice").json() == {"todos": []}
    alice.json_call("post", "/todos/alice", {"todo": "private"})
    assert alice.json_call("delete", "/todos/alice", {"todo_idx": 0}).status_code == 200
    assert noauth_client.get("/todos/alice").json() == {"todos": ["public alice"]}
    assert HostClient(NOAUTH_HOST).get("/todos/alice").json() == {"todos": ["public alice"]}


@pytest.mark.django_db
def test_service_host_data_is_not_visible_through_the_user_host(alice, service):
    service.json_call("post", "/todos/alice", {"todo": "service list"})
    assert alice.get("/todos/alice").json() == {"todos": []}
