"""The OAuth plugin by path: its issuer is <origin>/p/todo-oauth, and tokens are bound to a form."""

import json

import pytest
from oauth2_provider.models import AccessToken, get_application_model
from oauthlib.common import Request as OAuthlibRequest
from oauthlib.oauth2.rfc6749.errors import CustomOAuth2Error

from pluginmeta.auth.oauth.backend import ORIGIN_KEY
from pluginmeta.auth.oauth.validator import PluginOAuth2Validator
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, HostClient
from tests.pluginmeta.auth.oauth.oauth_helpers import (
    authorize_params,
    exchange,
    get_code,
    page_error,
)
from tests.pluginmeta.conftest import form_fields, query_of
from tests.pluginmeta.hosts.conftest import PathClient

pytestmark = pytest.mark.mutation

ORIGIN = "http://localhost"
ISSUER = f"{ORIGIN}/p/todo-oauth"
RESOURCE = f"{ISSUER}/mcp"
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
MCP_HEADERS = {
    "HTTP_ACCEPT": "application/json, text/event-stream",
    "HTTP_MCP_PROTOCOL_VERSION": "2025-06-18",
}


@pytest.fixture
def web(db, alice_user) -> PathClient:
    """alice, signed in, on the OAuth plugin reached by path on localhost."""
    client = PathClient(NOAUTH_HOST, "/p/todo-oauth")
    client.force_login(alice_user)
    return client


def post_mcp(client: HostClient, path: str, token: str | None = None):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        path, json.dumps(LIST), content_type="application/json", **MCP_HEADERS, **auth
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        # RFC 8414 section 3.1: the issuer's path after the well-known name ...
        "/.well-known/oauth-authorization-server/p/todo-oauth",
        # ... and the form that appends the well-known name to the issuer.
        "/p/todo-oauth/.well-known/oauth-authorization-server",
    ],
)
def test_authorization_server_metadata_names_the_path_issuer(path):
    metadata = HostClient(NOAUTH_HOST).get(path).json()
    assert metadata["issuer"] == ISSUER
    assert metadata["authorization_endpoint"] == f"{ISSUER}/oauth"
    assert metadata["token_endpoint"] == f"{ISSUER}/auth/oauth_exchange"
    assert metadata["registration_endpoint"] == f"{ISSUER}/oauth/register"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/oauth-protected-resource/p/todo-oauth/mcp",
        "/p/todo-oauth/.well-known/oauth-protected-resource",
    ],
)
def test_protected_resource_metadata_names_the_path_resource(path):
    document = HostClient(NOAUTH_HOST).get(path).json()
    assert document["resource"] == RESOURCE
    assert document["authorization_servers"] == [ISSUER]


@pytest.mark.django_db
def test_401_by_path_points_at_the_path_metadata():
    answer = post_mcp(HostClient(NOAUTH_HOST), "/p/todo-oauth/mcp")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == (
        f'Bearer resource_metadata="{ORIGIN}/.well-known/oauth-protected-resource/p/todo-oauth/mcp"'
    )


@pytest.mark.django_db
def test_oauth_metadata_exists_by_path_for_oauth_plugins_only():
    for path in (
        "/.well-known/oauth-authorization-server/p/sports",
        "/.well-known/oauth-protected-resource/p/sports/mcp",
    ):
        answer = HostClient(NOAUTH_HOST).get(path)
        assert answer.status_code == 404
        assert answer.json()["error"] == "not_found"


@pytest.mark.django_db
def test_sign_in_is_asked_under_the_path(db, chatgpt):
    signed_out = PathClient(NOAUTH_HOST, "/p/todo-oauth")
    answer = signed_out.get("/oauth", authorize_params(chatgpt.client_id))
    assert answer.status_code == 302
    location = answer["Location"]
    assert location.startswith("/p/todo-oauth/oauth/login?next=")
    assert query_of(location)["next"].startswith("/p/todo-oauth/oauth?")
    page = signed_out.get("/oauth/login").content.decode()
    assert 'href="/p/todo-oauth/oauth/signup?next=' in page


@pytest.mark.django_db
def test_pages_link_under_the_path(web):
    for path in ("/oauth/logout", "/oauth/authorized"):
        page = web.get(path).content.decode()
        assert 'href="/oauth/' not in page
        assert 'href="/p/todo-oauth/oauth/' in page


@pytest.mark.django_db
def test_the_code_redirect_names_the_path_issuer(web, chatgpt):
    fields = web.get("/oauth", authorize_params(chatgpt.client_id, resource=RESOURCE))
    assert fields.status_code == 200
    answer = web.post("/oauth", {**form_fields(fields.content.decode()), "allow": "true"})
    assert answer.status_code == 302
    assert query_of(answer["Location"])["iss"] == ISSUER


@pytest.mark.django_db
def test_a_token_by_path_is_bound_to_the_path_mcp_and_refused_by_the_host_form(web, chatgpt):
    code = get_code(web, chatgpt.client_id, resource=RESOURCE)
    answer = exchange(web, chatgpt, code)
    assert answer.status_code == 200, answer.content
    token = answer.json()["access_token"]
    assert AccessToken.objects.get().resource == [RESOURCE]
    assert post_mcp(HostClient(NOAUTH_HOST), "/p/todo-oauth/mcp", token).status_code == 200
    # The host form of the same plugin is another resource.
    refused = post_mcp(HostClient(OAUTH_HOST), "/mcp", token)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]
    # So is the path form on another host.
    assert post_mcp(HostClient(OAUTH_HOST), "/p/todo-oauth/mcp", token).status_code == 401


@pytest.mark.django_db
def test_a_host_form_token_is_refused_by_path(db, alice_user, chatgpt):
    by_host = HostClient(OAUTH_HOST)
    by_host.force_login(alice_user)
    host_resource = "http://todo-oauth.localhost/mcp"
    code = get_code(by_host, chatgpt.client_id, resource=host_resource)
    token = exchange(by_host, chatgpt, code).json()["access_token"]
    assert post_mcp(by_host, "/mcp", token).status_code == 200
    for host in (NOAUTH_HOST, OAUTH_HOST):
        refused = post_mcp(HostClient(host), "/p/todo-oauth/mcp", token)
        assert refused.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "resource",
    [
        "http://todo-oauth.localhost/mcp",  # the host form
        f"{ORIGIN}/mcp",  # the host's own plugin
        f"{ORIGIN}/",  # every path of the host
        f"{ORIGIN}/p/todo/mcp",  # another plugin by path
        f"{ORIGIN}/p/todo-oauthx/mcp",
    ],
)
def test_by_path_only_the_plugins_path_resources_are_granted(web, chatgpt, resource):
    answer = web.get("/oauth", authorize_params(chatgpt.client_id, resource=resource))
    assert answer.status_code == 400
    assert page_error(answer).startswith("invalid_target:")
    # Nor at the token endpoint, for a code asked without a resource.
    code = get_code(web, chatgpt.client_id)
    refused = exchange(web, chatgpt, code, resource=resource)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_target"
    assert not AccessToken.objects.exists()


@pytest.mark.django_db
def test_by_host_a_resource_under_a_plugins_path_is_not_granted(db, alice_user, chatgpt):
    by_host = HostClient(OAUTH_HOST)
    by_host.force_login(alice_user)
    resource = "http://todo-oauth.localhost/p/todo-oauth/mcp"
    answer = by_host.get("/oauth", authorize_params(chatgpt.client_id, resource=resource))
    assert page_error(answer).startswith("invalid_target:")


@pytest.mark.django_db
def test_a_forged_consent_form_cannot_bind_a_code_to_another_plugins_path(web, chatgpt):
    page = web.get("/oauth", authorize_params(chatgpt.client_id, resource=RESOURCE))
    fields = {**form_fields(page.content.decode()), "resource": f"{ORIGIN}/p/todo/mcp"}
    approved = web.post("/oauth", {**fields, "allow": "true"})
    code = query_of(approved["Location"])["code"]
    refused = exchange(web, chatgpt, code)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_target"
    assert not AccessToken.objects.exists()


@pytest.fixture
def document_client(db):
    """A client identified by a metadata document (tied to no plugin), as CIMD stores it."""
    model = get_application_model()
    return model.objects.create(
        client_id="https://client.example/oauth-client.json",
        client_type=model.CLIENT_PUBLIC,
        authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://client.example/callback",
        registration_source=model.RegistrationSource.CIMD,
    )


def check_resource(client, base: str, resource: str) -> None:
    """The token endpoint's resource check, for a request to the plugin at base."""
    origin, _, script_name = base.partition("/p/")
    headers = {ORIGIN_KEY: origin, "SCRIPT_NAME": f"/p/{script_name}" if script_name else ""}
    request = OAuthlibRequest(f"{base}/auth/oauth_exchange", headers=headers)
    request.client, request.resource, request.grant_type = client, [resource], "none"
    PluginOAuth2Validator()._check_and_set_request_resource(request)


@pytest.mark.parametrize(
    "resource", ["http://todo-oauth.localhost/", "http://todo-oauth.localhost"]
)
def test_a_document_clients_token_cannot_cover_the_plugins_reached_by_path(
    document_client, chatgpt, resource
):
    # django-oauth-toolkit admits a call under a token's resource: the host's root would admit
    # /p/<another oauth plugin>/ on that host, and a document's client is tied to no plugin.
    with pytest.raises(CustomOAuth2Error, match="Name this plugin's resource"):
        check_resource(document_client, "http://todo-oauth.localhost", resource)
    # A client of this plugin is refused by every other plugin anyway.
    check_resource(
        get_application_model().objects.get(client_id=chatgpt.client_id),
        "http://todo-oauth.localhost",
        resource,
    )


@pytest.mark.parametrize(
    ("base", "resource"),
    [
        ("http://todo-oauth.localhost", "http://todo-oauth.localhost/mcp"),
        ("http://todo-oauth.localhost", "http://todo-oauth.localhost/todos"),
        (ISSUER, ISSUER),
        (ISSUER, RESOURCE),
    ],
)
def test_a_document_clients_resource_of_this_plugin_is_granted(document_client, base, resource):
    check_resource(document_client, base, resource)
