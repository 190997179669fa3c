"""Dynamic client registration (RFC 7591) through the test client: what it issues and refuses."""

import time

import pytest
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.settings import oauth2_settings

from pluginmeta.models import PluginOAuthClient
from tests.conftest import (
    NOAUTH_HOST,
    OAUTH_HOST,
    SERVICE_HOST,
    SPORTS_HOST,
    USER_HOST,
    HostClient,
)
from tests.pluginmeta.auth.oauth.oauth_helpers import authorize_params, get_code
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, GPT_REDIRECT, pkce_pair, query_of

pytestmark = pytest.mark.mutation

Application = get_application_model()

METADATA_ERROR = "invalid_client_metadata"
REDIRECT_ERROR = "invalid_redirect_uri"
GRANT_REFUSAL = "Only the authorization_code grant (with refresh) is offered."
NAME_REFUSAL = "client_name must be 1 to 100 characters."


def register(web: HostClient, headers=None, **metadata):
    body = {"client_name": "Test", "redirect_uris": [CHATGPT_REDIRECT], **metadata}
    return web.json_call("POST", "/oauth/register", body, headers=headers)


def assert_refused(response, error: str, description: str, status: int = 400) -> None:
    assert response.status_code == status, response.content
    assert response.json() == {"error": error, "error_description": description}
    assert response["Cache-Control"] == "no-store"
    assert not Application.objects.filter(name="Test").exists()


@pytest.fixture
def web(db) -> HostClient:
    return HostClient(OAUTH_HOST)


def test_a_registration_is_a_public_code_client_of_the_hosts_plugin(web, oauth_plugin):
    before = int(time.time())
    response = register(
        web,
        client_name="  Claude Code  ",
        redirect_uris=[CHATGPT_REDIRECT, GPT_REDIRECT],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
    )
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    answer = response.json()
    application = Application.objects.get(client_id=answer["client_id"])
    assert before <= answer.pop("client_id_issued_at") <= int(time.time())
    assert answer == {
        "client_id": application.client_id,
        "client_name": "Claude Code",
        "redirect_uris": [CHATGPT_REDIRECT, GPT_REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": oauth_plugin.oauth_scope,
    }
    assert application.name == "Claude Code"
    assert application.client_type == AbstractApplication.CLIENT_PUBLIC
    assert application.authorization_grant_type == AbstractApplication.GRANT_AUTHORIZATION_CODE
    assert application.redirect_uris == f"{CHATGPT_REDIRECT} {GPT_REDIRECT}"
    assert application.registration_source == Application.RegistrationSource.DCR
    assert application.skip_authorization is False
    assert application.user is None
    link = PluginOAuthClient.objects.get(application=application)
    assert link.plugin == oauth_plugin


def test_the_defaults_are_a_code_client_named_mcp_client(web):
    response = web.json_call("POST", "/oauth/register", {"redirect_uris": [CHATGPT_REDIRECT]})
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["client_name"] == "MCP client"
    assert answer["grant_types"] == ["authorization_code", "refresh_token"]
    assert Application.objects.get(client_id=answer["client_id"]).name == "MCP client"


@pytest.mark.parametrize(
    "grant_types", [["authorization_code"], ["refresh_token", "authorization_code"]]
)
def test_the_code_grant_with_or_without_refresh_is_registered(web, grant_types):
    assert register(web, grant_types=grant_types).status_code == 201


def test_a_client_asking_to_be_confidential_is_registered_public_without_secret(web):
    response = register(
        web,
        token_endpoint_auth_method="client_secret_post",
        client_type="confidential",
        client_secret="chosen-by-the-client",
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["token_endpoint_auth_method"] == "none"
    assert "client_secret" not in answer
    application = Application.objects.get(client_id=answer["client_id"])
    assert application.client_type == AbstractApplication.CLIENT_PUBLIC


def test_a_name_of_100_characters_is_taken(web):
    response = register(web, client_name="x" * 100)
    assert response.status_code == 201, response.content
    assert response.json()["client_name"] == "x" * 100


def test_a_registered_client_gets_tokens_with_s256_pkce_only(web, alice_user):
    client_id = register(web).json()["client_id"]
    web.force_login(alice_user)
    without = web.get("/oauth", authorize_params(client_id))
    assert without.status_code == 302
    assert query_of(without["Location"])["error"] == "invalid_request"
    verifier, challenge = pkce_pair()
    code = get_code(web, client_id, code_challenge=challenge, code_challenge_method="S256")
    body = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": CHATGPT_REDIRECT,
        "code_verifier": verifier,
    }
    token = web.json_call("POST", "/auth/oauth_exchange", body)
    assert token.status_code == 200, token.content
    assert token.json()["scope"] == "todos"


@pytest.mark.parametrize("host", [NOAUTH_HOST, SERVICE_HOST, USER_HOST, SPORTS_HOST])
def test_hosts_of_other_auth_types_have_no_registration(db, host):
    response = register(HostClient(host))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert not Application.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_get_405(web, method):
    response = getattr(web, method)("/oauth/register")
    assert_refused(response, "invalid_request", "Register with POST.", status=405)
    assert response["Allow"] == "POST, OPTIONS"


class RefuseAll:
    def has_permission(self, request) -> bool:
        return False


class AllowAll:
    def has_permission(self, request) -> bool:
        return True


@pytest.mark.parametrize(
    "classes", [(), (RefuseAll,), (AllowAll, RefuseAll), (RefuseAll, AllowAll)]
)
def test_registration_is_closed_unless_every_permission_allows_it(web, monkeypatch, classes):
    monkeypatch.setattr(oauth2_settings, "DCR_REGISTRATION_PERMISSION_CLASSES", classes)
    assert_refused(register(web), "access_denied", "Registration is not open.", status=401)


class InvitedOnly:
    def has_permission(self, request) -> bool:
        return request.headers.get("X-Invitation") == "yes"


def test_each_permission_is_asked_about_this_request(web, monkeypatch):
    monkeypatch.setattr(
        oauth2_settings, "DCR_REGISTRATION_PERMISSION_CLASSES", (AllowAll, InvitedOnly)
    )
    assert_refused(register(web), "access_denied", "Registration is not open.", status=401)
    assert register(web, headers={"X-Invitation": "yes"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ("{", "The body must be valid JSON."),
        (b"\xff", "The body must be valid JSON."),
        ("[" * 4_000 + "]" * 4_000, "The body must be valid JSON."),
        ("[]", "The body must be a JSON object."),
        ("null", "The body must be a JSON object."),
        ('"text"', "The body must be a JSON object."),
    ],
)
def test_the_body_must_be_a_json_object(web, body, description):
    response = web.json_call("POST", "/oauth/register", raw=body)
    assert_refused(response, METADATA_ERROR, description)


@pytest.mark.parametrize(
    ("metadata", "error", "description"),
    [
        (
            {"grant_types": "authorization_code"},
            METADATA_ERROR,
            "grant_types must be an array of strings.",
        ),
        (
            {"grant_types": ["authorization_code", 1]},
            METADATA_ERROR,
            "grant_types must be an array of strings.",
        ),
        ({"grant_types": ["implicit"]}, METADATA_ERROR, GRANT_REFUSAL),
        ({"grant_types": ["client_credentials"]}, METADATA_ERROR, GRANT_REFUSAL),
        ({"grant_types": ["authorization_code", "password"]}, METADATA_ERROR, GRANT_REFUSAL),
        ({"grant_types": ["refresh_token"]}, METADATA_ERROR, GRANT_REFUSAL),
        ({"grant_types": []}, METADATA_ERROR, GRANT_REFUSAL),
        ({"response_types": "code"}, METADATA_ERROR, "response_types must be an array of strings."),
        ({"response_types": ["token"]}, METADATA_ERROR, "Only the code response type."),
        ({"response_types": ["code", "token"]}, METADATA_ERROR, "Only the code response type."),
        ({"response_types": []}, METADATA_ERROR, "Only the code response type."),
        (
            {"redirect_uris": CHATGPT_REDIRECT},
            METADATA_ERROR,
            "redirect_uris must be an array of strings.",
        ),
        (
            {"redirect_uris": [CHATGPT_REDIRECT, None]},
            METADATA_ERROR,
            "redirect_uris must be an array of strings.",
        ),
        ({"redirect_uris": []}, REDIRECT_ERROR, "Give at least one redirect URI."),
        (
            {"redirect_uris": ["http://example.com/cb"]},
            REDIRECT_ERROR,
            "'http://example.com/cb' must use https (http is only for local hosts).",
        ),
        (
            {"redirect_uris": [CHATGPT_REDIRECT, "https://example.com/cb#x"]},
            REDIRECT_ERROR,
            "'https://example.com/cb#x' must not contain a fragment.",
        ),
        (
            {"redirect_uris": ["https://example.com/c\x00b"]},
            REDIRECT_ERROR,
            "'https://example.com/c\\x00b' must be printable ASCII without whitespace"
            " (percent-encode the rest).",
        ),
        ({"client_name": 5}, METADATA_ERROR, NAME_REFUSAL),
        ({"client_name": None}, METADATA_ERROR, NAME_REFUSAL),
        ({"client_name": ""}, METADATA_ERROR, NAME_REFUSAL),
        ({"client_name": "   "}, METADATA_ERROR, NAME_REFUSAL),
        ({"client_name": "x" * 101}, METADATA_ERROR, NAME_REFUSAL),
        ({"client_name": "Claude\nCode"}, METADATA_ERROR, "client_name must be printable."),
        ({"client_name": "Claude\x00"}, METADATA_ERROR, "client_name must be printable."),
    ],
)
def test_bad_metadata_is_refused_with_rfc_7591_errors(web, metadata, error, description):
    assert_refused(register(web, **metadata), error, description)


def test_redirect_uris_the_application_model_refuses_are_bad_metadata(web):
    uris = ["https://-bad.example/cb", "https://-worse.example/cb"]
    descriptions = [f"redirect uri URI validation error. ['Enter a valid URL.']: {u}" for u in uris]
    assert_refused(register(web, redirect_uris=uris), METADATA_ERROR, "; ".join(descriptions))
    assert not PluginOAuthClient.objects.exists()


def test_without_redirect_uris_the_client_is_asked_for_one(web):
    response = web.json_call("POST", "/oauth/register", {"client_name": "Test"})
    assert_refused(response, REDIRECT_ERROR, "Give at least one redirect URI.")
