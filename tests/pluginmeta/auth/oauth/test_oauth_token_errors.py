"""What the API tells a caller whose OAuth access token no longer works."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from tests.conftest import OAUTH_HOST, HostClient
from tests.pluginmeta.auth.oauth.oauth_helpers import exchange, get_code

pytestmark = pytest.mark.mutation

EXPIRED_OR_REVOKED = "The access token has expired or been revoked."


@pytest.fixture
def tokens(oauth_web, alice_user, chatgpt) -> dict:
    oauth_web.force_login(alice_user)
    response = exchange(oauth_web, chatgpt, get_code(oauth_web, chatgpt.client_id))
    assert response.status_code == 200
    return response.json()


def api_with(access_token: str) -> HostClient:
    return HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {access_token}")


def assert_invalid_token(response) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token", "detail": EXPIRED_OR_REVOKED}
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert f'error_description="{EXPIRED_OR_REVOKED}"' in response["WWW-Authenticate"]


def test_a_working_token_reads_the_list(tokens):
    assert api_with(tokens["access_token"]).get("/todos/alice").status_code == 200


def test_a_revoked_token_says_so(tokens):
    RefreshToken.objects.get().revoke()  # revokes its access token too
    assert_invalid_token(api_with(tokens["access_token"]).get("/todos/alice"))


def test_an_expired_token_says_so(tokens):
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert_invalid_token(api_with(tokens["access_token"]).get("/todos/alice"))


def test_an_unknown_token_says_so(db):
    assert_invalid_token(api_with("not-a-token-we-issued").get("/todos/alice"))


def test_no_token_still_asks_for_one_without_an_error_code(db):
    response = HostClient(OAUTH_HOST).get("/todos/alice")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_without_the_plugins_scope_is_forbidden(tokens):
    AccessToken.objects.update(scope="read write")
    response = api_with(tokens["access_token"]).get("/todos/alice")
    assert response.status_code == 403
    assert response.json() == {
        "error": "permission_denied",
        "detail": "This access token lacks the plugin's scope.",
    }
