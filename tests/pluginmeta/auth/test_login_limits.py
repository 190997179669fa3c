"""Brute-force protection of the sign-in pages (django-axes, pluginmeta.auth.login_limits)."""

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import NOAUTH_HOST, HostClient
from tests.pluginmeta.conftest import OAUTH_HOST, PASSWORD

pytestmark = pytest.mark.mutation


@pytest.fixture(autouse=True)
def _limit_three(settings):
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client: HostClient, password: str, path: str = "/oauth/login", **extra):
    return client.post(path, {"username": "alice", "password": password, "next": "/"}, **extra)


def signed_in(client: HostClient) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_oauth_sign_in_locks_after_the_failure_limit(alice_user):
    client = HostClient(OAUTH_HOST)
    assert [sign_in(client, "wrong").status_code for _ in range(2)] == [200, 200]
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    page = locked.content.decode()
    assert "Too many failed sign-ins" in page
    assert "Try again in 15 minutes." in page
    assert "<h1>TODO List (OAuth)</h1>" in page
    # Even the right password is refused while locked, and nothing is signed in.
    assert sign_in(client, PASSWORD).status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_the_lockout_is_per_username_and_address(alice_user):
    attacker = HostClient(OAUTH_HOST, REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        sign_in(attacker, "wrong")
    assert sign_in(attacker, PASSWORD).status_code == 429
    owner = HostClient(OAUTH_HOST, REMOTE_ADDR="198.51.100.7")
    assert sign_in(owner, PASSWORD).status_code == 302
    assert signed_in(owner)


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_lockout_uses_the_forwarded_address(alice_user, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = HostClient(OAUTH_HOST, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    for _ in range(3):
        sign_in(attacker, "wrong")
    assert sign_in(attacker, PASSWORD).status_code == 429
    owner = HostClient(OAUTH_HOST, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert sign_in(owner, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_another_username_from_a_locked_address_can_still_sign_in(alice_user, bob_user):
    # A shared address (an office NAT) must not let one user's failures lock out the rest.
    client = HostClient(OAUTH_HOST, REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    response = client.post("/oauth/login", {"username": "bob", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob_user.pk)


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_count(alice_user):
    client = HostClient(OAUTH_HOST)
    for _ in range(2):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_locks_too(db):
    get_user_model().objects.create_superuser("alice", password=PASSWORD)
    client = HostClient(NOAUTH_HOST)
    for _ in range(2):
        assert sign_in(client, "wrong", "/admin/login/").status_code == 200
    locked = sign_in(client, "wrong", "/admin/login/")
    assert locked.status_code == 429
    assert "Try again in 15 minutes." in locked.content.decode()
    assert sign_in(client, PASSWORD, "/admin/login/").status_code == 429
    assert not signed_in(client)
