"""Client authentication at the token endpoint: one secret hash per attempt whoever is named, and
a budget of failures per client id and per address, spent before anything is hashed."""

import base64
import json

import pytest

from pluginmeta.auth.oauth.services import register_client
from tests.conftest import OAUTH_HOST, HostClient
from tests.pluginmeta.conftest import CHATGPT_REDIRECT

TOKEN_PATH = "/auth/oauth_exchange"
ATTACKER = "203.0.113.9"


def token_request(web: HostClient, client_id: str, secret: str | None, **extra):
    body = {"grant_type": "authorization_code", "code": "no-such-code", "client_id": client_id}
    if secret is not None:
        body["client_secret"] = secret
    return web.post(TOKEN_PATH, json.dumps(body), content_type="application/json", **extra)


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def hashes(counting_hasher, settings):
    """The counting hasher, with the decoy that unknown clients are checked against made: a
    process makes it once, on its first unknown client."""
    settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE = "off"
    token_request(HostClient(OAUTH_HOST, REMOTE_ADDR="192.0.2.1"), "warm-up", "warm-up")
    counting_hasher.hashes = 0
    return counting_hasher


@pytest.fixture
def confidential(oauth_plugin, hashes):
    """A confidential client whose secret is hashed by the counting hasher."""
    client = register_client(oauth_plugin, [CHATGPT_REDIRECT])
    hashes.hashes = 0
    return client


@pytest.fixture
def web(db) -> HostClient:
    return HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)


@pytest.fixture
def no_limits(settings):
    settings.OAUTH_CLIENT_FAILURE_ID_RATE = "off"
    settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE = "off"


def assert_invalid_client(response) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["error"] == "invalid_client"


def assert_limited(response) -> int:
    assert response.status_code == 429, response.content
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 3600
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": "Too many failed client authentications for this client or "
        f"from this address; try again in {wait} seconds.",
    }
    assert response["Cache-Control"] == "no-store"
    return wait


# --- The same cost for every client id ---


def test_a_wrong_secret_of_a_known_client_costs_one_hash(
    web, confidential, counting_hasher, no_limits
):
    assert_invalid_client(token_request(web, confidential.client_id, "wrong"))
    assert counting_hasher.hashes == 1


def test_an_unknown_client_id_costs_one_hash_too(web, confidential, counting_hasher, no_limits):
    assert_invalid_client(token_request(web, "no-such-client", "wrong"))
    assert counting_hasher.hashes == 1


def test_a_public_client_sending_a_secret_costs_one_hash_too(
    web, self_registered, hashes, no_limits
):
    public = self_registered()
    hashes.hashes = 0
    assert_invalid_client(token_request(web, public.client_id, "guess"))
    assert hashes.hashes == 1


def test_basic_credentials_of_an_unknown_client_cost_one_hash(
    web, confidential, counting_hasher, no_limits
):
    response = token_request(web, "", None, HTTP_AUTHORIZATION=basic("no-such-client", "wrong"))
    assert_invalid_client(response)
    assert counting_hasher.hashes == 1


def test_basic_credentials_are_checked_once_even_with_a_body_secret(
    web, confidential, counting_hasher, no_limits
):
    # One authentication method per request (RFC 6749 section 2.3): Basic, once.
    response = token_request(
        web,
        confidential.client_id,
        confidential.client_secret,
        HTTP_AUTHORIZATION=basic(confidential.client_id, "wrong"),
    )
    assert_invalid_client(response)
    assert counting_hasher.hashes == 1


def test_the_right_secret_authenticates_with_one_hash(
    web, confidential, counting_hasher, no_limits
):
    response = token_request(web, confidential.client_id, confidential.client_secret)
    # Authenticated; the made-up code is what is refused.
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_grant"
    assert counting_hasher.hashes == 1


# --- The failure budgets ---


def test_failures_are_limited_per_client_id_before_hashing(
    web, confidential, counting_hasher, settings
):
    settings.OAUTH_CLIENT_FAILURE_ID_RATE = "3/hour"
    settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE = "off"
    for _ in range(3):
        assert_invalid_client(token_request(web, confidential.client_id, "wrong"))
    assert counting_hasher.hashes == 3
    # Even the right secret, from another address, waits: nothing more is hashed.
    elsewhere = HostClient(OAUTH_HOST, REMOTE_ADDR="198.51.100.7")
    assert_limited(token_request(elsewhere, confidential.client_id, confidential.client_secret))
    assert_limited(token_request(web, confidential.client_id, "wrong"))
    assert counting_hasher.hashes == 3
    # Other client ids are not held up by this one's failures.
    assert_invalid_client(token_request(web, "another-client", "wrong"))


def test_failures_are_limited_per_address_whatever_the_client_id(
    web, confidential, counting_hasher, settings
):
    settings.OAUTH_CLIENT_FAILURE_ID_RATE = "off"
    settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE = "3/hour"
    for number in range(3):
        assert_invalid_client(token_request(web, f"made-up-{number}", "wrong"))
    assert_limited(token_request(web, "made-up-4", "wrong"))
    assert_limited(token_request(web, confidential.client_id, confidential.client_secret))
    assert counting_hasher.hashes == 3
    elsewhere = HostClient(OAUTH_HOST, REMOTE_ADDR="198.51.100.7")
    response = token_request(elsewhere, confidential.client_id, confidential.client_secret)
    assert response.json()["error"] == "invalid_grant"


def test_successful_authentications_spend_no_budget(web, confidential, settings):
    settings.OAUTH_CLIENT_FAILURE_ID_RATE = "2/hour"
    settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE = "2/hour"
    for _ in range(6):
        response = token_request(web, confidential.client_id, confidential.client_secret)
        assert response.json()["error"] == "invalid_grant"
    assert_invalid_client(token_request(web, confidential.client_id, "wrong"))


def test_public_clients_without_a_secret_spend_no_budget(web, self_registered, settings):
    settings.OAUTH_CLIENT_FAILURE_ID_RATE = "1/hour"
    settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE = "1/hour"
    public = self_registered()
    for _ in range(3):
        # No client authentication happens: the public client is only identified.
        response = token_request(web, public.client_id, None)
        assert response.json()["error"] == "invalid_grant"
