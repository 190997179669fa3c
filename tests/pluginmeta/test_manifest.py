"""Manifest contents and the limits enforced on Plugin rows."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from pluginmeta.models import Plugin, PluginHost
from tests.conftest import ALL_HOSTS, HostClient

pytestmark = pytest.mark.mutation

MANIFEST_KEYS = {
    "schema_version",
    "name_for_human",
    "name_for_model",
    "description_for_human",
    "description_for_model",
    "auth",
    "api",
    "logo_url",
    "contact_email",
    "legal_info_url",
}


@pytest.mark.django_db
@pytest.mark.parametrize("host", ALL_HOSTS)
def test_manifest_fields_and_limits(host):
    manifest = HostClient(host).get("/.well-known/ai-plugin.json").json()
    assert set(manifest) == MANIFEST_KEYS
    assert manifest["schema_version"] == "v1"
    assert len(manifest["name_for_human"]) <= 20
    assert len(manifest["description_for_human"]) <= 100
    assert len(manifest["description_for_model"]) <= 8000
    assert manifest["api"] == {"type": "openapi", "url": f"http://{host}/openapi.yaml"}
    assert manifest["logo_url"] == f"http://{host}/logo.png"
    assert "@" in manifest["contact_email"]
    assert manifest["legal_info_url"].startswith("https://")


@pytest.mark.django_db
def test_manifest_urls_follow_https_behind_a_trusted_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = HostClient("localhost")
    manifest = client.get("/.well-known/ai-plugin.json", HTTP_X_FORWARDED_PROTO="https").json()
    assert manifest["api"]["url"] == "https://localhost/openapi.yaml"
    assert manifest["logo_url"] == "https://localhost/logo.png"


@pytest.mark.django_db
def test_forwarded_proto_is_ignored_unless_configured():
    client = HostClient("localhost")
    manifest = client.get("/.well-known/ai-plugin.json", HTTP_X_FORWARDED_PROTO="https").json()
    assert manifest["api"]["url"] == "http://localhost/openapi.yaml"


def valid_plugin(**overrides) -> Plugin:
    fields = {
        "slug": "extra",
        "kind": "todo",
        "name_for_human": "Extra",
        "name_for_model": "extra_todo",
        "description_for_human": "An extra list.",
        "description_for_model": "Manage an extra list.",
        "contact_email": "ops@example.com",
        "legal_info_url": "https://example.com/legal",
    }
    return Plugin(**{**fields, **overrides})


@pytest.mark.django_db
def test_a_valid_plugin_saves():
    valid_plugin().save()
    assert Plugin.objects.filter(slug="extra").exists()


@pytest.mark.django_db
def test_an_oauth_plugin_saves_with_its_scopes():
    valid_plugin(auth_type="oauth", oauth_scope="todos todos:write").save()
    assert Plugin.objects.get(slug="extra").oauth_scope == "todos todos:write"


@pytest.mark.django_db
def test_oauth_plugins_saved_without_a_scope_get_their_model_name_as_scope():
    migration = importlib.import_module("pluginmeta.migrations.0006_oauth_scope_required")
    valid_plugin().save()
    # As an older version could store it: oauth, and no scope.
    Plugin.objects.filter(slug="extra").update(auth_type="oauth", oauth_scope="")
    migration.give_oauth_plugins_a_scope(django_apps, None)
    scopes = dict(Plugin.objects.filter(auth_type="oauth").values_list("slug", "oauth_scope"))
    assert scopes == {"extra": "extra_todo", "todo-oauth": "todos"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_for_model", "has space"),
        ("name_for_model", "dash-ed"),
        ("name_for_model", "x" * 51),
        ("name_for_model", ""),
        ("name_for_human", "x" * 21),
        ("description_for_human", "x" * 101),
        ("description_for_model", "x" * 8001),
        ("contact_email", "not-an-email"),
        ("legal_info_url", "javascript:alert(1)"),
        ("kind", "weather"),
        ("auth_type", "magic"),
    ],
)
def test_invalid_manifest_fields_are_refused(field, value):
    with pytest.raises(ValidationError) as info:
        valid_plugin(**{field: value}).save()
    assert field in info.value.message_dict
    assert not Plugin.objects.filter(slug="extra").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"auth_type": "service_http"}, "authorization_type"),
        ({"auth_type": "user_http"}, "authorization_type"),
        ({"auth_type": "none", "authorization_type": "bearer"}, "authorization_type"),
        ({"auth_type": "none", "oauth_scope": "todos"}, "oauth_scope"),
        ({"auth_type": "none", "verification_token": "abc"}, "verification_token"),
        # Without a scope the consent page has nothing to grant.
        ({"auth_type": "oauth"}, "oauth_scope"),
        ({"auth_type": "oauth", "oauth_scope": "  "}, "oauth_scope"),
        ({"auth_type": "oauth", "oauth_scope": 'todos "read"'}, "oauth_scope"),
        ({"auth_type": "oauth", "oauth_scope": "todos\\read"}, "oauth_scope"),
        ({"auth_type": "oauth", "oauth_scope": "tödos"}, "oauth_scope"),
    ],
)
def test_incomplete_or_mismatched_auth_settings_are_refused(fields, bad_field):
    with pytest.raises(ValidationError) as info:
        valid_plugin(**fields).save()
    assert bad_field in info.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostname", ["Upper.example.com", "host:8000", "http://x.com", "a..b", "-x.com", ""]
)
def test_invalid_hostnames_are_refused(hostname):
    with pytest.raises(ValidationError):
        PluginHost(plugin=Plugin.objects.get(slug="todo"), hostname=hostname).save()


@pytest.mark.django_db
def test_admin_refuses_an_invalid_plugin(admin_client):
    response = admin_client.post(
        "/admin/pluginmeta/plugin/add/",
        {
            "slug": "bad",
            "kind": "todo",
            "is_active": "on",
            "name_for_human": "A name that is far too long for ChatGPT",
            "name_for_model": "bad name",
            "description_for_human": "d",
            "description_for_model": "d",
            "contact_email": "ops@example.com",
            "legal_info_url": "https://example.com/legal",
            "auth_type": "none",
            "hosts-TOTAL_FORMS": "0",
            "hosts-INITIAL_FORMS": "0",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200  # the form again, with errors
    assert "Ensure this value has at most 20 characters" in response.content.decode()
    assert not Plugin.objects.filter(slug="bad").exists()
