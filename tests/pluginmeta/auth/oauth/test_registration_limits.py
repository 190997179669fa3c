"""What open client registration may cost: no secret hash, JSON only, a size cap, a budget per
client address, reserved names, and removal of the clients that never got a token."""

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError
from django.utils import timezone
from oauth2_provider.models import AbstractApplication

from pluginmeta.models import PluginOAuthClient
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, HostClient
from tests.pluginmeta.auth.oauth.oauth_helpers import authorize_params
from tests.pluginmeta.conftest import (
    CHATGPT_REDIRECT,
    command_output,
    form_fields,
    pkce_pair,
    query_of,
)

METADATA = {"client_name": "Test", "redirect_uris": [CHATGPT_REDIRECT]}
PHISHING_REDIRECT = "https://chatgpt.com.evil.example/callback"


def register(web: HostClient, body: bytes | str | None = None, **extra):
    raw = json.dumps(METADATA) if body is None else body
    return web.post("/oauth/register", raw, content_type="application/json", **extra)


@pytest.fixture
def web(db) -> HostClient:
    return HostClient(OAUTH_HOST)


def assert_error(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["error"] == error
    assert answer["error_description"]
    return answer


def test_a_public_client_is_stored_without_a_secret(web, application_model, counting_hasher):
    response = register(web)
    assert response.status_code == 201, response.content
    application = application_model.objects.get(client_id=response.json()["client_id"])
    assert application.client_type == AbstractApplication.CLIENT_PUBLIC
    assert application.client_secret == ""
    assert application.hash_client_secret is False
    assert counting_hasher.hashes == 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps(METADATA)),
        ("application/x-www-form-urlencoded", "client_name=Test"),
        ("multipart/form-data; boundary=x", "--x--"),
        ("application/jsonp", json.dumps(METADATA)),
    ],
)
def test_only_json_is_taken(web, application_model, content_type, body):
    response = web.post("/oauth/register", body, content_type=content_type)
    answer = assert_error(response, 415, "invalid_request")
    assert answer["error_description"] == "Send the client metadata as application/json."
    assert not application_model.objects.exists()


def test_a_body_without_content_type_is_refused_as_unsupported(web, application_model):
    assert_error(web.post("/oauth/register"), 415, "invalid_request")
    assert not application_model.objects.exists()


def test_json_with_a_charset_is_taken(web):
    response = web.post(
        "/oauth/register", json.dumps(METADATA), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201, response.content


def padded_metadata(size: int) -> str:
    """The test metadata with an unknown member that pads it to exactly size bytes."""
    base = json.dumps({**METADATA, "software_id": ""})
    return json.dumps({**METADATA, "software_id": "x" * (size - len(base))})


def test_metadata_up_to_the_cap_is_taken(web, settings):
    settings.OAUTH_REGISTER_MAX_BYTES = 2000
    body = padded_metadata(2000)
    assert len(body) == 2000
    assert register(web, body).status_code == 201


def test_metadata_over_the_cap_is_refused_with_413(web, settings, application_model):
    settings.OAUTH_REGISTER_MAX_BYTES = 2000
    answer = assert_error(register(web, padded_metadata(2001)), 413, "invalid_request")
    assert answer["error_description"] == "The client metadata is larger than 2000 bytes."
    assert not application_model.objects.exists()


def test_a_body_over_the_servers_body_limit_gets_413_not_400(web, application_model):
    # Larger than DJANGO_MAX_BODY_BYTES (64 KiB), where Django itself refuses to read it.
    assert_error(register(web, padded_metadata(70_000)), 413, "invalid_request")
    assert not application_model.objects.exists()


def test_registrations_are_limited_per_client_address(web, settings, application_model):
    settings.OAUTH_REGISTER_ADDRESS_RATE = "3/hour"
    for _ in range(3):
        assert register(web).status_code == 201
    refused = register(web)
    answer = assert_error(refused, 429, "temporarily_unavailable")
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 3600
    assert answer["error_description"] == (
        f"Too many registrations from this address; try again in {wait} seconds."
    )
    assert application_model.objects.count() == 3
    elsewhere = HostClient(OAUTH_HOST, REMOTE_ADDR="198.51.100.7")
    assert register(elsewhere).status_code == 201


def test_refused_attempts_count_too(web, settings):
    # Every attempt costs a request's work, so a page firing text/plain spends the budget too.
    settings.OAUTH_REGISTER_ADDRESS_RATE = "2/hour"
    web.post("/oauth/register", "{}", content_type="text/plain")
    web.post("/oauth/register", "{}", content_type="text/plain")
    assert_error(register(web), 429, "temporarily_unavailable")


def test_the_limit_can_be_turned_off(web, settings):
    settings.OAUTH_REGISTER_ADDRESS_RATE = "off"
    assert all(register(web).status_code == 201 for _ in range(25))


@pytest.mark.parametrize(
    "name",
    [
        "ChatGPT",
        "chatgpt",
        "  CHAT-GPT ",
        "Chat GPT",
        "OpenAI",
        "Open AI",
        "Claude",
        "claude.",
        "\uff23\uff4c\uff41\uff55\uff44\uff45",  # "Claude" in full-width letters
        "Anthropic",
        "TODO List (OAuth)",  # the plugin's name_for_human
        "todo list oauth",
        "Todo OAuth",  # its name_for_model, todo_oauth
    ],
)
def test_reserved_names_are_refused(web, application_model, name):
    metadata = {"client_name": name, "redirect_uris": [PHISHING_REDIRECT]}
    response = register(web, json.dumps(metadata))
    answer = assert_error(response, 400, "invalid_client_metadata")
    assert answer["error_description"] == (
        f"client_name {name.strip()!r} is reserved; choose a name of your own."
    )
    assert not application_model.objects.exists()


@pytest.mark.parametrize(
    ("name", "redirect_uris"),
    [
        ("ChatGPT", [CHATGPT_REDIRECT]),
        ("ChatGPT", ["https://chatgpt.com/connector_platform_oauth_redirect"]),
        ("OpenAI", ["https://platform.openai.com/callback"]),
        ("Claude", ["https://claude.ai/api/mcp/auth_callback"]),
        ("Anthropic", ["https://claude.com/callback", "https://console.anthropic.com/cb"]),
    ],
)
def test_an_assistant_may_take_its_name_when_every_callback_is_its_own(
    web, application_model, name, redirect_uris
):
    response = register(web, json.dumps({"client_name": name, "redirect_uris": redirect_uris}))
    assert response.status_code == 201, response.content
    application = application_model.objects.get(client_id=response.json()["client_id"])
    assert application.registration_source == application_model.RegistrationSource.DCR


@pytest.mark.parametrize(
    ("name", "redirect_uris"),
    [
        ("ChatGPT", [CHATGPT_REDIRECT, "https://evil.example/callback"]),
        ("ChatGPT", ["https://claude.ai/api/mcp/auth_callback"]),
        ("Claude", [CHATGPT_REDIRECT]),
        ("Claude", ["https://notclaude.ai/callback"]),
        ("Claude", ["http://127.0.0.1:33418/callback"]),
    ],
)
def test_an_assistant_name_with_any_foreign_callback_is_refused(
    web, application_model, name, redirect_uris
):
    response = register(web, json.dumps({"client_name": name, "redirect_uris": redirect_uris}))
    assert_error(response, 400, "invalid_client_metadata")
    assert not application_model.objects.exists()


@pytest.mark.parametrize("name", ["Claude Code", "My ChatGPT helper", "TODO sync"])
def test_names_that_only_contain_a_reserved_one_are_taken(web, name):
    response = register(web, json.dumps({**METADATA, "client_name": name}))
    assert response.status_code == 201, response.content


def test_another_plugins_name_is_not_reserved_here(web):
    response = register(web, json.dumps({**METADATA, "client_name": "Sport Stats"}))
    assert response.status_code == 201, response.content


# --- Removing the clients that never got a token ---


def registered_hours_ago(application, hours: float) -> None:
    type(application).objects.filter(pk=application.pk).update(
        created=timezone.now() - timedelta(hours=hours)
    )


def authorize_and_exchange(web: HostClient, client_id: str) -> dict:
    verifier, challenge = pkce_pair()
    params = authorize_params(client_id, code_challenge=challenge, code_challenge_method="S256")
    page = web.get("/oauth", params)
    assert page.status_code == 200, page.content
    fields = form_fields(page.content.decode())
    approved = web.post("/oauth", {**fields, "allow": "true"})
    assert approved.status_code == 302, approved.content
    code = query_of(approved["Location"])["code"]
    body = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": CHATGPT_REDIRECT,
        "code_verifier": verifier,
    }
    response = web.post("/auth/oauth_exchange", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_client_issued_a_token_is_marked_authorized(web, self_registered, alice_user):
    application = self_registered()
    link = PluginOAuthClient.objects.get(application=application)
    assert link.first_authorized_at is None
    web.force_login(alice_user)
    before = timezone.now()
    authorize_and_exchange(web, application.client_id)
    link.refresh_from_db()
    assert before <= link.first_authorized_at <= timezone.now()


def test_the_command_removes_old_self_registered_clients_never_issued_a_token(
    web, self_registered, chatgpt, alice_user, application_model
):
    unused_old = self_registered("Unused old")
    registered_hours_ago(unused_old, 25)
    used_old = self_registered("Used old")
    web.force_login(alice_user)
    authorize_and_exchange(web, used_old.client_id)
    registered_hours_ago(used_old, 25)
    unused_new = self_registered("Unused new")
    registered_hours_ago(unused_new, 23)
    operators = application_model.objects.get(client_id=chatgpt.client_id)
    registered_hours_ago(operators, 1000)

    out, err = command_output("remove_unused_oauth_clients")

    remaining = set(application_model.objects.values_list("client_id", flat=True))
    assert remaining == {used_old.client_id, unused_new.client_id, chatgpt.client_id}
    [line] = out.splitlines()
    client_id, slug, registered_at, name = line.split(" ", 3)
    assert (client_id, slug, name) == (unused_old.client_id, "todo-oauth", "Unused old")
    assert registered_at.endswith("+00:00")
    assert err == (
        "Removed 1 self-registered client(s) never issued a token, "
        "registered more than 24 hour(s) ago.\n"
    )
    assert not PluginOAuthClient.objects.filter(application_id=unused_old.pk).exists()


def test_the_age_comes_from_the_setting_or_the_option(self_registered, settings, application_model):
    client = self_registered()
    registered_hours_ago(client, 5)
    settings.OAUTH_UNUSED_CLIENT_HOURS = 6
    assert command_output("remove_unused_oauth_clients")[0] == ""
    settings.OAUTH_UNUSED_CLIENT_HOURS = 4
    assert command_output("remove_unused_oauth_clients", "--hours", "6")[0] == ""
    assert command_output("remove_unused_oauth_clients")[0].startswith(client.client_id)
    assert not application_model.objects.exists()


def test_a_negative_age_is_refused(db):
    with pytest.raises(CommandError, match=r"^--hours must be 0 or more\.$"):
        command_output("remove_unused_oauth_clients", "--hours", "-1")


def test_registration_is_only_on_oauth_hosts(db):
    assert HostClient(NOAUTH_HOST).post("/oauth/register").status_code == 404
