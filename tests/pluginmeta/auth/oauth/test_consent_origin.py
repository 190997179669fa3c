"""The consent page against look-alike clients: it names where the code goes, marks clients that
registered themselves, and only an operator's clients may carry the assistants' names."""

import re

import pytest

from pluginmeta.auth.oauth.services import register_client
from tests.pluginmeta.auth.oauth.oauth_helpers import authorize_params
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, GPT_REDIRECT, pkce_pair, run_command

EVIL_REDIRECT = "https://attacker.example:8443/steal"


def destination(page: str) -> str:
    match = re.search(r'<strong class="host">(.*?)</strong>', page)
    assert match, "the consent page does not say where the code goes"
    return match.group(1)


@pytest.fixture
def web(oauth_web, alice_user):
    oauth_web.force_login(alice_user)
    return oauth_web


def consent_page(web, client_id: str, redirect_uri: str = CHATGPT_REDIRECT) -> str:
    # Public (self-registered) clients must send S256 PKCE; confidential ones may.
    challenge = pkce_pair()[1]
    params = authorize_params(
        client_id, redirect_uri=redirect_uri, code_challenge=challenge, code_challenge_method="S256"
    )
    response = web.get("/oauth", params)
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_the_page_shows_the_host_the_code_goes_to(web, chatgpt):
    assert destination(consent_page(web, chatgpt.client_id)) == "chat.openai.com"
    assert destination(consent_page(web, chatgpt.client_id, GPT_REDIRECT)) == "chatgpt.com"


def test_a_self_registered_client_is_marked_unverified(web, self_registered):
    client = self_registered("Helpful Assistant", [EVIL_REDIRECT])
    page = consent_page(web, client.client_id, EVIL_REDIRECT)
    assert destination(page) == "attacker.example:8443"
    assert 'id="unverified"' in page
    assert "Unverified app." in page
    assert "&ldquo;Helpful Assistant&rdquo; is only the name it gave" in page


def test_an_operators_client_is_not_marked(web, chatgpt):
    page = consent_page(web, chatgpt.client_id)
    assert "Allow ChatGPT (todo-oauth) to use TODO List (OAuth)?" in page
    assert 'id="unverified"' not in page


def test_the_command_may_still_name_a_client_chatgpt(web, oauth_plugin):
    out = run_command(
        "register_chatgpt_client", "todo-oauth.localhost", "--redirect-uri", CHATGPT_REDIRECT
    )
    client_id = out[0].removeprefix("client_id: ")
    page = consent_page(web, client_id)
    assert "Allow ChatGPT (todo-oauth) to use" in page
    assert 'id="unverified"' not in page


def test_an_admin_made_client_may_take_a_reserved_name(web, oauth_plugin, application_model):
    client = register_client(oauth_plugin, [CHATGPT_REDIRECT], name="Claude")
    assert application_model.objects.get(client_id=client.client_id).registration_source == (
        application_model.RegistrationSource.MANUAL
    )
    assert 'id="unverified"' not in consent_page(web, client.client_id)


def test_the_name_and_host_are_escaped(web, self_registered):
    client = self_registered('<img src=x onerror="alert(1)">')
    page = consent_page(web, client.client_id)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
