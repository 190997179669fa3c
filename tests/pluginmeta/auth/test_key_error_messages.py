"""What a key host answers for each kind of bad credential: a wrong key says the key is wrong."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from pluginmeta.models.keys import UserKey
from tests.conftest import SERVICE_HOST, USER_HOST, HostClient
from tests.pluginmeta.conftest import keyed

pytestmark = pytest.mark.mutation

INVALID_KEY = {"error": "invalid_key", "detail": "The key is not valid for this plugin."}
HOW_TO_SEND = {
    "error": "authentication_failed",
    "detail": "Send the key as: Authorization: Bearer <key>.",
}
NO_KEY = {"error": "not_authenticated", "detail": "Authentication credentials were not provided."}
UNKNOWN_KEY = "abcdefgh.0123456789abcdef0123456789abcdef"


def answer(host: str, authorization: str | None):
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = HostClient(host, **extra).get("/todos/alice")
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    return response.json()


def wrong_keys(key: str) -> dict[str, str]:
    """Headers that send a key after "Bearer" that is not a key of the plugin."""
    prefix, _, secret = key.partition(".")
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    return {
        "unknown key": f"Bearer {UNKNOWN_KEY}",
        "right prefix, wrong secret": f"Bearer {prefix}.{flipped}",
        "lower-case scheme": f"bearer {prefix}.{flipped}",
        "prefix only": f"Bearer {prefix}",
        "secret only": f"Bearer {secret}",
        "key twice": f"Bearer {key}{key}",
        "non-ascii": f"Bearer {key}é",
        "over the length cap": "Bearer " + "a" * 10_000,
        "sql-ish": "Bearer x'.or.'1'='1",
    }


CASES = list(wrong_keys(UNKNOWN_KEY))


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_a_wrong_service_key_is_called_invalid(service_key, case):
    assert answer(SERVICE_HOST, wrong_keys(service_key)[case]) == INVALID_KEY


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_a_wrong_user_key_is_called_invalid(alice_key, case):
    assert answer(USER_HOST, wrong_keys(alice_key)[case]) == INVALID_KEY


@pytest.mark.django_db
def test_a_key_of_another_plugin_is_called_invalid(service_key, alice_key):
    assert answer(USER_HOST, f"Bearer {service_key}") == INVALID_KEY
    assert answer(SERVICE_HOST, f"Bearer {alice_key}") == INVALID_KEY


@pytest.mark.django_db
def test_revoked_expired_and_inactive_keys_are_called_invalid(user_key, alice_key):
    assert keyed(USER_HOST, alice_key).get("/todos/alice").status_code == 200
    UserKey.objects.filter(prefix=alice_key.split(".")[0]).update(revoked=True)
    assert answer(USER_HOST, f"Bearer {alice_key}") == INVALID_KEY

    expired = user_key("alice")
    UserKey.objects.filter(prefix=expired.split(".")[0]).update(expiry_date=timezone.now())
    assert answer(USER_HOST, f"Bearer {expired}") == INVALID_KEY

    inactive = user_key("alice")
    get_user_model().objects.filter(username="alice").update(is_active=False)
    assert answer(USER_HOST, f"Bearer {inactive}") == INVALID_KEY


@pytest.mark.django_db
@pytest.mark.parametrize("host", [SERVICE_HOST, USER_HOST])
@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", f"Bearer  {UNKNOWN_KEY}", f"Bearer {UNKNOWN_KEY} extra", UNKNOWN_KEY],
    ids=["scheme only", "scheme and space", "two spaces", "two words", "no scheme"],
)
def test_a_header_without_one_key_says_how_to_send_it(host, authorization):
    assert answer(host, authorization) == HOW_TO_SEND


@pytest.mark.django_db
@pytest.mark.parametrize("host", [SERVICE_HOST, USER_HOST])
def test_another_scheme_is_named(host):
    assert answer(host, f"Basic {UNKNOWN_KEY}") == {
        "error": "authentication_failed",
        "detail": "Unsupported scheme 'Basic'; use Bearer.",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("host", [SERVICE_HOST, USER_HOST])
def test_no_header_says_credentials_are_missing(host):
    assert answer(host, None) == NO_KEY
