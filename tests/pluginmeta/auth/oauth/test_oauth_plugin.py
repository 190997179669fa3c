"""The oauth plugin's manifest, spec, server metadata, client registration command and pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError
from oauth2_provider.models import get_application_model
from openapi_spec_validator import validate

from pluginmeta.models import Plugin, PluginOAuthClient
from tests.conftest import OAUTH_HOST, HostClient
from tests.pluginmeta.conftest import (
    CHATGPT_REDIRECT,
    GPT_REDIRECT,
    PASSWORD,
    command_output,
    csrf_token_of,
)

pytestmark = pytest.mark.mutation

OAUTH_PATHS = {"/oauth", "/auth/oauth_exchange", "/oauth/login", "/oauth/signup", "/oauth/logout"}


def test_manifest_auth(oauth_web, oauth_plugin):
    oauth_plugin.verification_token = "vt-123"
    oauth_plugin.save()
    auth = oauth_web.get("/.well-known/ai-plugin.json").json()["auth"]
    assert auth == {
        "type": "oauth",
        "client_url": f"http://{OAUTH_HOST}/oauth",
        "scope": "todos",
        "authorization_url": f"http://{OAUTH_HOST}/auth/oauth_exchange",
        "authorization_content_type": "application/json",
        "verification_tokens": {"openai": "vt-123"},
    }


def test_spec_has_oauth2_scheme_and_no_oauth_endpoints(oauth_web):
    spec = oauth_web.get("/openapi.json").json()
    validate(spec)
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"http://{OAUTH_HOST}/oauth"
    assert flow["tokenUrl"] == f"http://{OAUTH_HOST}/auth/oauth_exchange"
    assert set(flow["scopes"]) == {"todos"}
    assert set(spec["paths"]) == {"/todos/{username}"}
    for operation in spec["paths"]["/todos/{username}"].values():
        assert operation["security"] == [{"oauth2": ["todos"]}]
    assert not OAUTH_PATHS & set(spec["paths"])


def test_other_hosts_spec_has_no_oauth(db):
    spec = HostClient("localhost").get("/openapi.json").json()
    assert "oauth2" not in spec.get("components", {}).get("securitySchemes", {})


def test_server_metadata(oauth_web):
    meta = oauth_web.get("/.well-known/oauth-authorization-server").json()
    origin = f"http://{OAUTH_HOST}"
    assert meta["issuer"] == origin
    assert meta["authorization_endpoint"] == f"{origin}/oauth"
    assert meta["token_endpoint"] == f"{origin}/auth/oauth_exchange"
    assert meta["response_types_supported"] == ["code"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
        "none",
    }
    assert meta["registration_endpoint"] == f"{origin}/oauth/register"
    assert meta["scopes_supported"] == ["todos"]
    assert meta["authorization_response_iss_parameter_supported"] is True


# --- register_chatgpt_client --------------------------------------------------------------------


def run_register(*args: str) -> str:
    return command_output("register_chatgpt_client", *args)[0]


def test_register_command_creates_hashed_confidential_client(oauth_plugin):
    output = run_register(
        OAUTH_HOST,
        "--redirect-uri",
        CHATGPT_REDIRECT,
        "--redirect-uri",
        GPT_REDIRECT,
        "--verification-token",
        "vt-from-chatgpt",
    )
    lines = dict(line.split(": ", 1) for line in output.strip().splitlines())
    client_id, secret = lines["client_id"], lines["client_secret"]
    application = get_application_model().objects.get(client_id=client_id)
    assert application.client_type == "confidential"
    assert application.authorization_grant_type == "authorization-code"
    assert application.redirect_uris.split() == [CHATGPT_REDIRECT, GPT_REDIRECT]
    assert secret not in application.client_secret
    assert check_password(secret, application.client_secret)
    assert PluginOAuthClient.objects.get(application=application).plugin == oauth_plugin
    oauth_plugin.refresh_from_db()
    assert oauth_plugin.verification_token == "vt-from-chatgpt"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["localhost", "--redirect-uri", CHATGPT_REDIRECT],
            "localhost serves 'todo', whose auth type is none, not oauth.",
        ),
        (
            ["nowhere.localhost", "--redirect-uri", CHATGPT_REDIRECT],
            "No plugin is served on 'nowhere.localhost'.",
        ),
        (
            [OAUTH_HOST, "--redirect-uri", "http://chat.openai.com/aip/p/oauth/callback"],
            "must use https",
        ),
        ([OAUTH_HOST, "--redirect-uri", CHATGPT_REDIRECT + "#x"], "must not contain a fragment"),
        ([OAUTH_HOST, "--redirect-uri", "/relative/callback"], "is not an absolute http(s) URL"),
    ],
)
def test_register_command_refuses(oauth_plugin, args, reason):
    with pytest.raises(CommandError, match=re.escape(reason)):
        run_register(*args)
    assert not get_application_model().objects.exists()


def test_register_command_requires_a_redirect_uri(oauth_plugin):
    with pytest.raises(CommandError):
        run_register(OAUTH_HOST)


# --- Pages ----------------------------------------------------------------------------------------


def test_login_page_signs_in_and_continues(oauth_web, alice_user):
    page = oauth_web.get("/oauth/login?next=/oauth%3Fa%3D1").content.decode()
    assert "Sign in" in page
    assert 'name="viewport"' in page
    response = oauth_web.post(
        "/oauth/login", {"username": "alice", "password": PASSWORD, "next": "/oauth?a=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/oauth?a=1"


def test_login_refuses_offsite_next(oauth_web, alice_user):
    response = oauth_web.post(
        "/oauth/login", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_stays_on_login(oauth_web, alice_user):
    response = oauth_web.post("/oauth/login", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_signup_creates_account_and_signs_in(oauth_web):
    page = oauth_web.get("/oauth/signup?next=/oauth%3Fx%3D1").content.decode()
    assert csrf_token_of(page)
    response = oauth_web.post(
        "/oauth/signup",
        {"username": "carol", "password1": PASSWORD, "password2": PASSWORD, "next": "/oauth?x=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/oauth?x=1"
    assert get_user_model().objects.filter(username="carol").exists()
    assert oauth_web.get("/oauth/logout").context["user"].get_username() == "carol"


def test_signup_rejects_bad_input_and_offsite_next(oauth_web, alice_user):
    response = oauth_web.post(
        "/oauth/signup", {"username": "alice", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 400
    response = oauth_web.post(
        "/oauth/signup",
        {"username": "dave", "password1": PASSWORD, "password2": PASSWORD, "next": "//evil.ex/"},
    )
    assert response["Location"] == "/"


def test_signup_returns_to_a_full_address_on_this_host(oauth_web):
    back = f"http://{OAUTH_HOST}/oauth?x=1"
    response = oauth_web.post(
        "/oauth/signup",
        {"username": "erin", "password1": PASSWORD, "password2": PASSWORD, "next": back},
    )
    assert response["Location"] == back


def test_signup_over_https_does_not_continue_to_plain_http(oauth_web):
    response = oauth_web.post(
        "/oauth/signup",
        {
            "username": "frank",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": f"http://{OAUTH_HOST}/oauth?x=1",
        },
        secure=True,
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_login_page_offers_signup(oauth_web):
    assert "Create one" in oauth_web.get("/oauth/login").content.decode()


def test_signup_can_be_turned_off(oauth_web, settings):
    settings.OAUTH_SIGNUP_ENABLED = False
    assert oauth_web.get("/oauth/signup").status_code == 404
    response = oauth_web.post(
        "/oauth/signup", {"username": "eve", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="eve").exists()
    assert "Create one" not in oauth_web.get("/oauth/login").content.decode()


def test_logout_needs_post(oauth_web, alice_user):
    oauth_web.force_login(alice_user)
    assert "Sign out" in oauth_web.get("/oauth/logout").content.decode()
    assert oauth_web.get("/oauth/logout").context["user"].is_authenticated
    response = oauth_web.post("/oauth/logout")
    assert response.status_code == 200
    assert "signed out" in response.content.decode()
    assert not oauth_web.get("/oauth/logout").context["user"].is_authenticated


def test_plugin_without_scope_still_serves(oauth_plugin):
    Plugin.objects.filter(pk=oauth_plugin.pk).update(oauth_scope="")
    web = HostClient(OAUTH_HOST)
    spec = web.get("/openapi.json").json()
    validate(spec)
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["scopes"] == {}
    for operation in spec["paths"]["/todos/{username}"].values():
        assert operation["security"] == [{"oauth2": []}]
    assert web.get("/.well-known/ai-plugin.json").json()["auth"]["scope"] == ""
    assert web.get("/.well-known/oauth-authorization-server").json()["scopes_supported"] == []


def test_admin_lists_oauth_clients(oauth_web, chatgpt):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    oauth_web.force_login(admin_user)
    response = oauth_web.get("/admin/pluginmeta/pluginoauthclient/")
    assert response.status_code == 200
    assert "todo-oauth" in response.content.decode()
