"""Sign-in and sign-up attempts per client address, counted before any password is hashed,
and the usernames sign-up refuses."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher

from pluginmeta.auth import login_limits
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, HostClient
from tests.pluginmeta.conftest import PASSWORD

pytestmark = pytest.mark.mutation

ATTACKER = "203.0.113.9"
NEIGHBOUR = "198.51.100.7"


class CountingHasher(MD5PasswordHasher):
    """A real hasher that counts how often a password was hashed (set or checked)."""

    algorithm = "counting_md5"
    runs = 0

    def encode(self, password, salt):
        CountingHasher.runs += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def _small_budgets(settings):
    settings.LOGIN_ADDRESS_RATE = "5/h"
    settings.SIGNUP_ADDRESS_RATE = "3/h"
    # High enough that the per-username lockout never answers in these tests.
    settings.AXES_FAILURE_LIMIT = 100
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.runs = 0


def sign_in(client: HostClient, username: str, password: str, path: str = "/oauth/login"):
    return client.post(path, {"username": username, "password": password, "next": "/"})


def sign_up(client: HostClient, username: str):
    return client.post(
        "/oauth/signup", {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.mark.django_db
def test_rotating_unknown_usernames_from_one_address_gets_429_before_hashing():
    client = HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)
    answers = [sign_in(client, f"nobody{n}", "guess").status_code for n in range(5)]
    assert answers == [200] * 5
    hashed = CountingHasher.runs
    assert hashed == 5  # Django hashes even for an unknown name, to hide which names exist

    refused = sign_in(client, "nobody5", "guess")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many sign-in attempts" in refused.content.decode()
    assert CountingHasher.runs == hashed


@pytest.mark.django_db
def test_over_the_budget_even_the_right_password_is_refused(alice_user):
    client = HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)
    for n in range(5):
        sign_in(client, f"guess{n}", "guess")
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_budget_is_per_address(alice_user):
    attacker = HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)
    for n in range(6):
        sign_in(attacker, f"guess{n}", "guess")
    neighbour = HostClient(OAUTH_HOST, REMOTE_ADDR=NEIGHBOUR)
    assert sign_in(neighbour, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_spends_the_same_budget(db):
    get_user_model().objects.create_superuser("boss", password=PASSWORD)
    oauth_page = HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)
    for n in range(3):
        assert sign_in(oauth_page, f"guess{n}", "guess").status_code == 200
    admin_page = HostClient(NOAUTH_HOST, REMOTE_ADDR=ATTACKER)
    for n in range(2):
        assert sign_in(admin_page, f"other{n}", "guess", "/admin/login/").status_code == 200
    refused = sign_in(admin_page, "boss", PASSWORD, "/admin/login/")
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert "_auth_user_id" not in admin_page.session


@pytest.mark.django_db
def test_sign_up_is_throttled_per_address():
    client = HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)
    assert [sign_up(client, f"user{n}").status_code for n in range(3)] == [302, 302, 302]
    refused = sign_up(client, "user3")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many sign-up attempts" in refused.content.decode()
    users = get_user_model().objects
    assert sorted(users.values_list("username", flat=True)) == ["user0", "user1", "user2"]
    assert sign_up(HostClient(OAUTH_HOST, REMOTE_ADDR=NEIGHBOUR), "user3").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username",
    [
        "admin",
        "Admin",
        "ROOT",
        "global",
        "Administrator",
        "support",
        "\uff52\uff4f\uff4f\uff54",
    ],  # fullwidth "root"
)
def test_sign_up_refuses_reserved_usernames(username):
    response = sign_up(HostClient(OAUTH_HOST), username)
    assert response.status_code == 400
    assert response.context["form"].errors["username"] == [
        "This username is reserved; choose another."
    ]
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_sign_up_takes_a_name_that_only_contains_a_reserved_one():
    assert sign_up(HostClient(OAUTH_HOST), "rootbeer").status_code == 302
    assert get_user_model().objects.filter(username="rootbeer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["sign-in", "sign-up"])
def test_the_refusal_gives_the_rest_of_the_window_and_says_so(action, monkeypatch):
    # 40 minutes into an hour-long window (hour-aligned, as the budget counts): 20 left.
    hour_start = 1_800_000_000 - 1_800_000_000 % 3600
    monkeypatch.setattr(login_limits.time, "time", lambda: hour_start + 40 * 60 + 0.5)
    client = HostClient(OAUTH_HOST, REMOTE_ADDR=ATTACKER)
    if action == "sign-in":
        for n in range(5):
            sign_in(client, f"nobody{n}", "guess")
        refused = sign_in(client, "nobody5", "guess")
    else:
        for n in range(3):
            sign_up(client, f"user{n}")
        refused = sign_up(client, "user3")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(20 * 60)
    page = refused.content.decode()
    assert f"Too many {action} attempts came from your address. Try again in\n  20 minutes." in page
    assert "<h1>TODO List (OAuth)</h1>" in page
