"""service_http: one service key per plugin as bearer token, and every way a credential fails."""

import pytest

from tests.conftest import NOAUTH_HOST, SERVICE_HOST, USER_HOST, HostClient, make_plugin
from tests.helpers.keys import assert_401, bad_headers
from tests.pluginmeta.conftest import keyed, last_line

pytestmark = pytest.mark.mutation


@pytest.mark.django_db
def test_the_service_key_opens_the_todo_api(service):
    assert service.get("/todos/global").json() == {"todos": []}
    assert service.json_call("post", "/todos/global", {"todo": "milk"}).status_code == 201
    assert service.json_call("post", "/todos/global", {"todo": "eggs"}).status_code == 201
    response = service.json_call("delete", "/todos/global", {"todo_idx": 0})
    assert response.status_code == 200
    assert service.get("/todos/global").json() == {"todos": ["eggs"]}


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_word_is_case_insensitive(service_key, scheme):
    response = keyed(SERVICE_HOST, service_key, scheme=scheme).get("/todos/global")
    assert response.status_code == 200


BAD_CASES = list(bad_headers("abcdefgh.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"))


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_CASES)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_bad_credentials_get_401_json_with_www_authenticate(service_key, case, method):
    header = bad_headers(service_key)[case]
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    client = HostClient(SERVICE_HOST, **extra)
    body = {"todo": "x"} if method == "post" else {"todo_idx": 0}
    assert_401(client.json_call(method, "/todos/global", body if method != "get" else None))


@pytest.mark.django_db
def test_bad_credentials_change_nothing(service, service_key, service_plugin):
    service.json_call("post", "/todos/global", {"todo": "keep me"})
    intruder = keyed(SERVICE_HOST, "abcdefgh.0123456789abcdef0123456789abcdef")
    assert_401(intruder.json_call("post", "/todos/global", {"todo": "intruder"}))
    assert_401(intruder.json_call("delete", "/todos/global", {"todo_idx": 0}))
    assert service.get("/todos/global").json() == {"todos": ["keep me"]}


@pytest.mark.django_db
def test_no_key_issued_yet_refuses_everything(service_plugin):
    assert_401(keyed(SERVICE_HOST, "abcdefgh.0123456789abcdef0123456789abcdef").get("/todos/x"))


@pytest.mark.django_db
def test_a_rotated_key_is_refused_on_the_very_next_request(service_key):
    old = keyed(SERVICE_HOST, service_key)
    assert old.get("/todos/global").status_code == 200  # warms the host cache
    new_key = last_line("plugin_service_key", SERVICE_HOST)
    assert new_key != service_key
    assert_401(old.get("/todos/global"))
    assert keyed(SERVICE_HOST, new_key).get("/todos/global").status_code == 200


@pytest.mark.django_db
def test_a_revoked_or_expired_service_key_is_refused(service, service_plugin):
    from django.utils import timezone

    assert service.get("/todos/global").status_code == 200
    service_plugin.service_key.expiry_date = timezone.now()
    service_plugin.service_key.save()
    assert_401(service.get("/todos/global"))
    service_plugin.service_key.expiry_date = None
    service_plugin.service_key.revoked = True
    service_plugin.service_key.save()
    assert_401(service.get("/todos/global"))


@pytest.mark.django_db
def test_a_service_key_stays_on_its_own_plugin(service_key, service_plugin):
    make_plugin("other-service", "other-service.localhost", "service_http")
    other_key = last_line("plugin_service_key", "other-service.localhost")
    assert_401(keyed("other-service.localhost", service_key).get("/todos/global"))
    assert_401(keyed(SERVICE_HOST, other_key).get("/todos/global"))
    assert keyed("other-service.localhost", other_key).get("/todos/global").status_code == 200
    # ... nor on a user_http host.
    assert_401(keyed(USER_HOST, service_key).get("/todos/global"))


@pytest.mark.django_db
def test_a_user_key_is_not_a_service_key(service_key, alice_key):
    assert_401(keyed(SERVICE_HOST, alice_key).get("/todos/alice"))


@pytest.mark.django_db
def test_no_auth_data_is_not_visible_through_the_service_host(service, noauth_client):
    noauth_client.json_call("post", "/todos/global", {"todo": "public"})
    assert service.get("/todos/global").json() == {"todos": []}
    service.json_call("post", "/todos/global", {"todo": "private"})
    assert noauth_client.get("/todos/global").json() == {"todos": ["public"]}
    assert HostClient(NOAUTH_HOST).get("/todos/global").status_code == 200


@pytest.mark.django_db
def test_manifest_and_spec_need_no_key(service_plugin):
    client = HostClient(SERVICE_HOST)
    assert client.get("/.well-known/ai-plugin.json").status_code == 200
    assert client.get("/openapi.json").status_code == 200
