"""Client ID metadata documents: every guard of the fetch, the checks of the document, caching
as its headers allow, and the flow of a client whose client_id is its document's URL.

Documents come from a real HTTP server on 127.0.0.1 (document_server), which counts the
requests it receives; names that must resolve somewhere else are mapped in this process.
"""

import io
import json
import logging
import re
import socket
import time
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from oauth2_provider.models import AbstractApplication

from pluginmeta.auth.oauth.cimd import freshness
from pluginmeta.models import PluginOAuthClient
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, HostClient, make_plugin
from tests.helpers.mcp_oauth import CALLBACK
from tests.pluginmeta.auth.oauth.document_server import Answer, client_document
from tests.pluginmeta.auth.oauth.oauth_helpers import authorize_params, page_error
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, form_fields, pkce_pair, query_of
from tests.pluginmeta.hosts.conftest import PathClient

RESOURCE = f"http://{OAUTH_HOST}/todos"
VERIFIER, CHALLENGE = pkce_pair()


def authorize_query(client_id: str, **overrides) -> dict[str, str]:
    """An authorization request of a public MCP client: PKCE, a loopback callback, a resource."""
    defaults = {
        "redirect_uri": CALLBACK,
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "resource": RESOURCE,
    }
    return authorize_params(client_id, **{**defaults, **overrides})


def provider(settings, **values) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, **values}


# --- Refusals: each is the authorization page's error, never a redirect, and is logged --------


def unmapped(server, names, settings) -> str:
    return ""


def http_without_setting(server, names, settings) -> str:
    settings.OAUTH_CIMD_ALLOW_LOOPBACK_HTTP = False
    return server.document("/doc")


def loopback_without_setting(address: str):
    def case(server, names, settings) -> str:
        settings.OAUTH_CIMD_ALLOW_LOOPBACK_HTTP = False
        return f"https://{address}:{server.port}/doc"

    return case


def fixed(url: str):
    return lambda server, names, settings: url


def name_resolving_to(*addresses: str):
    def case(server, names, settings) -> str:
        names["clients.example"] = list(addresses)
        return "https://clients.example/doc"

    return case


def served(answer: Answer, **provider_values):
    def case(server, names, settings) -> str:
        provider(settings, **provider_values)
        return server.serve("/doc", answer)

    return case


def document_with(**fields):
    return lambda server, names, settings: server.document("/doc", **fields)


BIG = json.dumps({"padding": "x" * 4096}).encode()

REFUSALS = {
    "http URL": (http_without_setting, "must be an https URL."),
    "http to a public host": (
        fixed("http://93.184.215.14/doc"),
        "may use plain http only on a loopback address.",
    ),
    "private 10.x": (fixed("https://10.0.0.1/doc"), "non-public address (10.0.0.1)"),
    "private 192.168.x": (fixed("https://192.168.1.20/doc"), "non-public address (192.168.1.20)"),
    "private 172.16.x": (fixed("https://172.16.0.5/doc"), "non-public address (172.16.0.5)"),
    "loopback without the setting": (
        loopback_without_setting("127.0.0.1"),
        "non-public address (127.0.0.1)",
    ),
    "IPv6 loopback without the setting": (
        loopback_without_setting("[::1]"),
        "non-public address (::1)",
    ),
    "link-local metadata address": (
        fixed("https://169.254.169.254/latest/meta-data"),
        "non-public address (169.254.169.254)",
    ),
    "IPv6 unique local": (fixed("https://[fd12:3456::1]/doc"), "non-public address (fd12:3456::1)"),
    "IPv6 link-local": (fixed("https://[fe80::1]/doc"), "non-public address (fe80::1)"),
    "IPv4-mapped private": (
        fixed("https://[::ffff:10.0.0.1]/doc"),
        "non-public address (::ffff:10.0.0.1)",
    ),
    "multicast": (fixed("https://224.0.0.251/doc"), "non-public address (224.0.0.251)"),
    "unspecified": (fixed("https://0.0.0.0/doc"), "non-public address (0.0.0.0)"),
    "reserved": (fixed("https://240.0.0.1/doc"), "non-public address (240.0.0.1)"),
    "a name resolving to a private address": (
        name_resolving_to("192.168.0.7"),
        "non-public address (192.168.0.7)",
    ),
    "a name resolving to public and private addresses": (
        name_resolving_to("93.184.215.14", "10.0.0.2"),
        "non-public address (10.0.0.2)",
    ),
    "this server itself": (fixed("http://todo-user.localhost/doc"), "is on this server itself."),
    "this host itself": (fixed("http://todo-oauth.localhost/oauth?x=1"), "on this server itself."),
    "no path": (fixed("https://clients.example/"), "must have a path"),
    "dot segments": (fixed("https://clients.example/a/../doc"), "must have a path"),
    "user name in the URL": (fixed("https://user@clients.example/doc"), "must not hold a user"),
    "redirect to a private address": (
        served(Answer(b"", status=302, headers={"Location": "https://10.0.0.1/doc"})),
        "answered with a redirect (HTTP 302); none is followed.",
    ),
    "not found": (served(Answer(b"{}", status=404)), "answered HTTP 404, not 200."),
    "oversize document": (
        served(Answer(BIG), CIMD_MAX_DOCUMENT_SIZE=1024),
        "is larger than 1024 bytes.",
    ),
    "oversize document without Content-Length": (
        served(Answer(BIG, content_length=False), CIMD_MAX_DOCUMENT_SIZE=1024),
        "is larger than 1024 bytes.",
    ),
    "slow document": (
        served(Answer(b"{}", delay=2.0), CIMD_FETCH_TIMEOUT_SECONDS=0.3),
        "did not arrive within 0.3 seconds.",
    ),
    "served as HTML": (
        served(Answer(b"<html></html>", headers={"Content-Type": "text/html"})),
        "is not JSON (Content-Type 'text/html').",
    ),
    "not JSON": (served(Answer(b"{not json")), "is not valid JSON."),
    "a JSON array": (served(Answer(b"[]")), "must be a JSON object."),
    "client_id mismatch": (
        document_with(client_id="https://clients.example/other"),
        "names another client_id than its own URL.",
    ),
    "http redirect URI": (
        document_with(redirect_uris=["http://evil.example/cb"]),
        "must use https (http is only for local hosts).",
    ),
    "redirect URI with a fragment": (
        document_with(redirect_uris=["https://app.example/cb#x"]),
        "must not contain a fragment.",
    ),
    "no redirect URIs": (document_with(redirect_uris=[]), "Give at least one redirect URI."),
    "a confidential client": (
        document_with(token_endpoint_auth_method="client_secret_basic"),
        "only 'none' (a public client).",
    ),
    "a client secret": (document_with(client_secret="s3cret"), "must not hold a client_secret."),
    "the implicit grant": (
        document_with(grant_types=["implicit"]),
        "Only the authorization_code grant",
    ),
    "a reserved name": (document_with(client_name="ChatGPT"), "client_name 'ChatGPT' is reserved"),
}


@pytest.mark.parametrize(("make_url", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refusals_show_the_reason_and_redirect_nowhere(
    oauth_web, document_server, mapped_names, settings, caplog, application_model, make_url, reason
):
    url = make_url(document_server, mapped_names, settings)
    with caplog.at_level(logging.WARNING, logger="pluginmeta.auth.oauth.cimd"):
        response = oauth_web.get("/oauth", authorize_query(url))
    assert response.status_code == 400
    error = page_error(response)
    assert error.startswith(f"invalid_client: The client&#x27;s metadata document ({url}) ")
    assert reason.replace("'", "&#x27;") in error
    assert reason in caplog.text
    assert not application_model.objects.filter(client_id=url).exists()


def test_refused_at_the_token_endpoint_as_json(oauth_web, document_server):
    body = {
        "grant_type": "authorization_code",
        "client_id": "https://10.0.0.1/doc",
        "code": "x",
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
    }
    response = oauth_web.json_call("POST", "/auth/oauth_exchange", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["error"] == "invalid_client"
    assert "non-public address (10.0.0.1)" in answer["error_description"]


def serve_as(server, url: str) -> str:
    """Serves at url's path a document whose client_id is url (a name mapped to the server)."""
    server.answers[urlsplit(url).path] = Answer(json.dumps(client_document(url)).encode())
    return url


def test_the_connection_goes_to_the_address_checked(oauth_web, document_server, monkeypatch):
    # A second DNS answer (rebinding) would name a private address: it is never asked for.
    answers = iter([["127.0.0.1"]])
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        addresses = next(answers, ["10.9.9.9"])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = serve_as(document_server, f"http://rebind.example:{document_server.port}/doc")
    response = oauth_web.get("/oauth", authorize_query(url))
    assert response.status_code == 302  # to sign in: the client is known
    assert "/oauth/login" in response["Location"]
    assert lookups == ["rebind.example"]
    assert document_server.counts["/doc"] == 1


def test_https_goes_to_the_checked_address_and_checks_the_certificate_for_the_name(
    oauth_web, tls_document_server, mapped_names
):
    mapped_names["localhost"] = ["127.0.0.1"]
    url = serve_as(tls_document_server, f"https://localhost:{tls_document_server.port}/doc")
    response = oauth_web.get("/oauth", authorize_query(url))
    assert response.status_code == 302  # to sign in: the document was fetched and accepted
    assert tls_document_server.counts["/doc"] == 1


def test_a_certificate_of_another_name_is_refused(oauth_web, tls_document_server, mapped_names):
    mapped_names["clients.example"] = ["127.0.0.1"]
    url = serve_as(tls_document_server, f"https://clients.example:{tls_document_server.port}/doc")
    response = oauth_web.get("/oauth", authorize_query(url))
    assert response.status_code == 400
    assert "could not be fetched ([SSL: CERTIFICATE_VERIFY_FAILED]" in page_error(response)
    assert tls_document_server.counts["/doc"] == 0


# --- Caching as the document's headers allow --------------------------------------------------


def authorize_times(web, url: str, times: int) -> None:
    for _ in range(times):
        response = web.get("/oauth", authorize_query(url))
        assert response.status_code == 200, page_error(response)


def test_within_max_age_the_document_is_not_fetched_again(oauth_web, alice_user, document_server):
    oauth_web.force_login(alice_user)
    url = document_server.document("/doc", cache_control="public, max-age=600")
    authorize_times(oauth_web, url, 3)
    assert document_server.counts["/doc"] == 1


def test_after_max_age_the_document_is_fetched_again(
    oauth_web, alice_user, document_server, settings
):
    provider(settings, CIMD_METADATA_MIN_AGE_SECONDS=0)
    oauth_web.force_login(alice_user)
    url = document_server.document("/doc", cache_control="max-age=1")
    authorize_times(oauth_web, url, 2)
    assert document_server.counts["/doc"] == 1
    time.sleep(1.2)
    authorize_times(oauth_web, url, 1)
    assert document_server.counts["/doc"] == 2


@pytest.mark.parametrize("cache_control", ["no-store", "no-cache", "max-age=600, no-store"])
def test_no_store_is_never_kept(oauth_web, alice_user, document_server, cache_control):
    oauth_web.force_login(alice_user)
    url = document_server.document("/doc", cache_control=cache_control)
    authorize_times(oauth_web, url, 3)
    assert document_server.counts["/doc"] == 3


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 60),  # no freshness given: the floor
        ("max-age=600", 600),
        ('public, max-age="900"', 900),
        ("max-age=5", 60),  # raised to the floor
        ("max-age=9999999", 86400),  # cut to the ceiling
        ("max-age=soon", 60),
        ("no-store", 0),
        ("No-Cache", 0),
        ("private, max-age=600", 600),
    ],
)
def test_freshness_follows_cache_control_between_floor_and_ceiling(settings, header, seconds):
    provider(settings, CIMD_METADATA_MIN_AGE_SECONDS=60, CIMD_METADATA_MAX_AGE_SECONDS=86400)
    assert freshness(header) == seconds


# --- The flow --------------------------------------------------------------------------------


def code_for(web, url: str, **overrides) -> str:
    page = web.get("/oauth", authorize_query(url, **overrides))
    assert page.status_code == 200, page_error(page)
    answer = web.post("/oauth", {**form_fields(page.content.decode()), "allow": "true"})
    assert answer.status_code == 302, answer.content
    assert answer["Location"].startswith(CALLBACK + "?")
    return query_of(answer["Location"])["code"]


def token_for(web, url: str, code: str):
    body = {
        "grant_type": "authorization_code",
        "client_id": url,
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
    }
    return web.json_call("POST", "/auth/oauth_exchange", body)


def test_a_document_client_is_authorized_and_its_token_works(
    oauth_web, alice_user, document_server, application_model
):
    oauth_web.force_login(alice_user)
    url = document_server.document("/doc", client_name="Doc Client", cache_control="no-store")
    page = oauth_web.get("/oauth", authorize_query(url))
    assert page.status_code == 200
    assert "Doc Client" in page.content.decode()
    assert "Unverified app" in page.content.decode()
    code = code_for(oauth_web, url)
    answer = token_for(oauth_web, url, code)
    assert answer.status_code == 200, answer.content
    token = answer.json()["access_token"]
    todos = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert todos.get("/todos/alice").status_code == 200
    # The refresh grant keeps the resource; the refreshed token works as well.
    body = {
        "grant_type": "refresh_token",
        "client_id": url,
        "refresh_token": answer.json()["refresh_token"],
    }
    refreshed = oauth_web.json_call("POST", "/auth/oauth_exchange", body)
    assert refreshed.status_code == 200, refreshed.content
    token = refreshed.json()["access_token"]
    todos = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert todos.get("/todos/alice").status_code == 200

    client = application_model.objects.get(client_id=url)
    assert client.registration_source == application_model.RegistrationSource.CIMD
    assert client.client_type == AbstractApplication.CLIENT_PUBLIC
    assert client.redirect_uris == CALLBACK
    assert not PluginOAuthClient.objects.filter(application=client).exists()
    # no-store: the consent pages, the approval and the token requests each fetched it.
    assert document_server.counts["/doc"] == 5


def test_one_document_serves_two_plugins_and_each_token_stays_on_its_own(
    alice_user, document_server
):
    make_plugin("todo-oauth-two", "todo-two.localhost", auth_type="oauth", oauth_scope="todos")
    url = document_server.document("/doc", cache_control="max-age=600")
    tokens = {}
    for host in (OAUTH_HOST, "todo-two.localhost"):
        web = HostClient(host)
        web.force_login(alice_user)
        resource = f"http://{host}/todos"
        code = code_for(web, url, resource=resource)
        answer = token_for(web, url, code)
        assert answer.status_code == 200, answer.content
        tokens[host] = answer.json()["access_token"]
    for host, token in tokens.items():
        for other in tokens:
            web = HostClient(other, HTTP_AUTHORIZATION=f"Bearer {token}")
            assert web.get("/todos/alice").status_code == (200 if other == host else 401)

    # Each plugin's authorised apps list its own grant of the client, and revoking it there
    # ends that plugin's token only.
    pages = {}
    for host in tokens:
        web = HostClient(host)
        web.force_login(alice_user)
        pages[host] = web
        assert web.get("/oauth/authorized").content.decode().count("Metadata document") == 1
    listed = pages[OAUTH_HOST].get("/oauth/authorized").content.decode()
    revoke = re.search(r'href="(/oauth/authorized/\d+/revoke)"', listed).group(1)
    assert pages[OAUTH_HOST].post(revoke).status_code == 302
    for host, token in tokens.items():
        web = HostClient(host, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert web.get("/todos/alice").status_code == (401 if host == OAUTH_HOST else 200)


def test_a_document_client_must_name_its_resource(oauth_web, alice_user, document_server):
    oauth_web.force_login(alice_user)
    url = document_server.document("/doc")
    answer = oauth_web.get("/oauth", authorize_query(url, resource=None))
    assert answer.status_code == 302
    assert answer["Location"].startswith(CALLBACK + "?")
    assert query_of(answer["Location"])["error"] == "invalid_target"


def test_a_client_registered_otherwise_keeps_its_url_id(
    oauth_web, document_server, application_model, self_registered
):
    url = document_server.document("/doc")
    client = self_registered()
    application_model.objects.filter(pk=client.pk).update(client_id=url)
    response = oauth_web.get("/oauth", authorize_query(url, redirect_uri=CHATGPT_REDIRECT))
    assert response.status_code == 302  # to sign in, as that client
    assert "/oauth/login" in response["Location"]
    assert document_server.counts["/doc"] == 0
    # ... and stays bound to its plugin.
    make_plugin("todo-oauth-two", "todo-two.localhost", auth_type="oauth", oauth_scope="todos")
    other = HostClient("todo-two.localhost")
    response = other.get("/oauth", authorize_query(url, redirect_uri=CHATGPT_REDIRECT))
    assert response.status_code in (400, 401)
    assert "not registered on this site" in page_error(response)


def test_the_metadata_advertises_documents_and_keeps_registration(oauth_web):
    metadata = oauth_web.get("/.well-known/oauth-authorization-server").json()
    assert metadata["client_id_metadata_document_supported"] is True
    assert metadata["registration_endpoint"] == f"http://{OAUTH_HOST}/oauth/register"
    assert "none" in metadata["token_endpoint_auth_methods_supported"]


def test_documents_can_be_turned_off(oauth_web, document_server, settings):
    provider(settings, CIMD_ENABLED=False)
    metadata = oauth_web.get("/.well-known/oauth-authorization-server").json()
    assert metadata["client_id_metadata_document_supported"] is False
    url = document_server.document("/doc")
    response = oauth_web.get("/oauth", authorize_query(url))
    assert response.status_code == 401 or response.status_code == 400
    assert "not registered on this site" in page_error(response)
    assert document_server.counts["/doc"] == 0


def test_clearcimdapplications_removes_clients_past_their_document_time(
    oauth_web, document_server, application_model
):
    kept = document_server.document("/kept", cache_control="max-age=600")
    gone = document_server.document("/gone", cache_control="no-store")
    for url in (kept, gone):
        assert oauth_web.get("/oauth", authorize_query(url)).status_code == 302  # to sign in
    call_command("clearcimdapplications", stdout=io.StringIO())
    remaining = set(application_model.objects.values_list("client_id", flat=True))
    assert kept in remaining
    assert gone not in remaining


def test_a_document_client_by_path_gets_a_token_of_that_form_only(alice_user, document_server):
    url = document_server.document("/doc", cache_control="max-age=600")
    web = PathClient(NOAUTH_HOST, "/p/todo-oauth")
    web.force_login(alice_user)
    resource = "http://localhost/p/todo-oauth/mcp"
    answer = token_for(web, url, code_for(web, url, resource=resource))
    assert answer.status_code == 200, answer.content
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {answer.json()['access_token']}"}
    mcp = {"HTTP_ACCEPT": "application/json, text/event-stream"}
    listing = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    by_path = web.post("/mcp", listing, content_type="application/json", **mcp, **bearer)
    assert by_path.status_code == 200, by_path.content
    by_host = HostClient(OAUTH_HOST).post(
        "/mcp", listing, content_type="application/json", **mcp, **bearer
    )
    assert by_host.status_code == 401
