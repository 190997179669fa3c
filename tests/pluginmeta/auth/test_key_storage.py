"""Keys at rest and in the admin: never stored or shown in plaintext; rotate and revoke there."""

import re

import pytest
from django.db import connection

from pluginmeta.models.keys import ServiceKey, UserKey
from tests.conftest import SERVICE_HOST, USER_HOST
from tests.helpers.keys import assert_401, plugin_form_data, shown_key
from tests.pluginmeta.conftest import KEY_PATTERN, keyed, last_line

pytestmark = pytest.mark.mutation


def database_text() -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.mark.django_db
def test_no_key_ever_appears_in_plaintext_in_the_database(
    service_key, user_key, admin_client_on, user_plugin, service_plugin
):
    issued = [service_key, user_key("alice"), user_key("bob")]
    issued.append(
        last_line("plugin_service_key", SERVICE_HOST, "--verification-token", "tok", "--rotate")
    )
    admin = admin_client_on()
    response = admin.post(
        "/admin/pluginmeta/plugin/",
        {"action": "rotate_service_keys", "_selected_action": [service_plugin.pk]},
        follow=True,
    )
    issued.append(shown_key(response))
    alice_id = UserKey.objects.filter(user__username="alice").values_list("user", flat=True)[0]
    response = admin.post(
        "/admin/pluginmeta/userkey/add/",
        {"name": "web", "user": alice_id, "plugin": user_plugin.pk, "expiry_date_0": ""},
        follow=True,
    )
    issued.append(shown_key(response))
    # Every key works (so they are real), yet none is in any table, whole or as its secret half.
    assert keyed(USER_HOST, issued[-1]).get("/todos/alice").status_code == 200
    dump = database_text()
    assert "sha512$$" in dump  # the dump does include the key tables
    for key in issued:
        assert key not in dump
        assert key.split(".")[1] not in dump


@pytest.mark.django_db
def test_plugin_admin_shows_only_the_prefix(service_key, admin_client_on, service_plugin):
    page = admin_client_on().get(f"/admin/pluginmeta/plugin/{service_plugin.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    prefix, secret = service_key.split(".")
    assert f'<div class="readonly">{prefix}… (only this prefix is kept)</div>' in text
    assert secret not in text and service_key not in text
    ServiceKey.objects.filter(plugin=service_plugin).delete()
    page = admin_client_on().get(f"/admin/pluginmeta/plugin/{service_plugin.pk}/change/")
    assert '<div class="readonly">No key yet</div>' in page.content.decode()


@pytest.mark.django_db
def test_admin_action_rotates_the_service_key(service, admin_client_on, service_plugin):
    assert service.get("/todos/global").status_code == 200
    response = admin_client_on().post(
        "/admin/pluginmeta/plugin/",
        {"action": "rotate_service_keys", "_selected_action": [service_plugin.pk]},
        follow=True,
    )
    new_key = shown_key(response)
    assert_401(service.get("/todos/global"))
    assert keyed(SERVICE_HOST, new_key).get("/todos/global").status_code == 200
    # Shown once: the next admin page does not repeat it.
    again = admin_client_on().get("/admin/pluginmeta/plugin/")
    assert new_key not in again.content.decode()


@pytest.mark.django_db
def test_plugin_form_sets_the_token_and_generates_a_key(service, admin_client_on, service_plugin):
    url = f"/admin/pluginmeta/plugin/{service_plugin.pk}/change/"
    data = plugin_form_data(service_plugin, verification_token="from-admin", new_service_key="on")
    response = admin_client_on().post(url, data, follow=True)
    assert response.status_code == 200
    new_key = shown_key(response)
    assert_401(service.get("/todos/global"))
    assert keyed(SERVICE_HOST, new_key).get("/todos/global").status_code == 200
    manifest = keyed(SERVICE_HOST, new_key).get("/.well-known/ai-plugin.json").json()
    assert manifest["auth"]["verification_tokens"] == {"openai": "from-admin"}
    # Saving without the checkbox keeps the key.
    data = plugin_form_data(service_plugin, verification_token="again")
    response = admin_client_on().post(url, data, follow=True)
    assert not KEY_PATTERN.search(response.content.decode())
    assert keyed(SERVICE_HOST, new_key).get("/todos/global").status_code == 200


@pytest.mark.django_db
def test_plugin_form_refuses_a_service_key_for_other_auth_types(admin_client_on, service_plugin):
    # The box is offered only on service_http plugins; switching the type away in the same
    # save is refused.
    url = f"/admin/pluginmeta/plugin/{service_plugin.pk}/change/"
    data = plugin_form_data(service_plugin, auth_type="user_http", new_service_key="on")
    response = admin_client_on().post(url, data)
    assert response.status_code == 200  # the form again, with an error
    assert "Only service_http plugins have a service key." in response.content.decode()
    assert not ServiceKey.objects.exists()


@pytest.mark.django_db
def test_user_key_admin_creates_and_revokes(alice, admin_client_on, user_plugin):
    admin = admin_client_on()
    alice_id = UserKey.objects.values_list("user", flat=True).get()
    response = admin.post(
        "/admin/pluginmeta/userkey/add/",
        {"name": "phone", "user": alice_id, "plugin": user_plugin.pk, "expiry_date_0": ""},
        follow=True,
    )
    phone_key = shown_key(response)
    phone = keyed(USER_HOST, phone_key)
    assert phone.get("/todos/alice").status_code == 200
    listing = admin.get("/admin/pluginmeta/userkey/").content.decode()
    assert phone_key.split(".")[0] in listing and phone_key not in listing
    row = UserKey.objects.get(prefix=phone_key.split(".")[0])
    response = admin.post(
        "/admin/pluginmeta/userkey/",
        {"action": "revoke", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "Revoked 1 key(s)." in response.content.decode()
    assert_401(phone.get("/todos/alice"))
    assert alice.get("/todos/alice").status_code == 200  # the other key is untouched


@pytest.mark.django_db
def test_user_key_admin_refuses_an_inactive_user(admin_client_on, user_plugin):
    from django.contrib.auth import get_user_model

    gone = get_user_model().objects.create_user("gone", is_active=False)
    response = admin_client_on().post(
        "/admin/pluginmeta/userkey/add/",
        {"name": "x", "user": gone.pk, "plugin": user_plugin.pk, "expiry_date_0": ""},
    )
    assert response.status_code == 200
    assert "This user is inactive." in response.content.decode()
    assert not UserKey.objects.exists()


@pytest.mark.django_db
def test_the_generic_api_key_admin_is_not_offered(admin_client_on):
    index = admin_client_on().get("/admin/").content.decode()
    assert "/admin/pluginmeta/userkey/" in index
    assert re.search(r"/admin/rest_framework_api_key/", index) is None


@pytest.mark.django_db
def test_the_rotate_action_refuses_other_auth_types_and_big_batches(admin_client_on, user_plugin):
    from tests.conftest import make_plugin

    admin = admin_client_on()
    response = admin.post(
        "/admin/pluginmeta/plugin/",
        {"action": "rotate_service_keys", "_selected_action": [user_plugin.pk]},
        follow=True,
    )
    assert "uses auth type user_http, not service_http" in response.content.decode(), [
        str(m) for m in response.context["messages"]
    ]
    plugins = [make_plugin(f"svc-{i}", f"svc-{i}.localhost", "service_http") for i in range(6)]
    response = admin.post(
        "/admin/pluginmeta/plugin/",
        {"action": "rotate_service_keys", "_selected_action": [p.pk for p in plugins]},
        follow=True,
    )
    assert "Select at most 5 plugins at a time." in response.content.decode()
    assert not ServiceKey.objects.exists()
