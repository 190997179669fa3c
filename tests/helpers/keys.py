"""Key auth in tests: the 401 every bad credential gets, malformed Authorization headers,
and the admin's key pages."""

import html

from pluginmeta.auth.services import MAX_TOKEN_LENGTH
from tests.pluginmeta.conftest import KEY_PATTERN


def assert_401(response) -> None:
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert body["error"] in {"not_authenticated", "authentication_failed", "invalid_key"}


def bad_headers(key: str) -> dict[str, str | None]:
    prefix, _, secret = key.partition(".")
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    return {
        "missing": None,
        "empty": "",
        "scheme only": "Bearer",
        "scheme and space": "Bearer ",
        "two spaces": f"Bearer  {key}",
        "trailing garbage": f"Bearer {key} extra",
        "no scheme": key,
        "basic": f"Basic {key}",
        "basic user:pass": "Basic dXNlcjpwYXNz",
        "token scheme": f"Token {key}",
        "api-key scheme": f"Api-Key {key}",
        "wrong key": "Bearer abcdefgh.0123456789abcdef0123456789abcdef",
        "right prefix, wrong secret": f"Bearer {prefix}.{flipped}",
        "prefix only": f"Bearer {prefix}",
        "prefix and dot": f"Bearer {prefix}.",
        "secret only": f"Bearer {secret}",
        "key twice": f"Bearer {key}{key}",
        "non-ascii": f"Bearer {key}é",
        "non-ascii only": "Bearer ключ",
        "nul byte": f"Bearer {prefix}\x00.{secret}",
        "very long": "Bearer " + "a" * 10_000,
        "just over the cap": f"Bearer {prefix}." + "a" * MAX_TOKEN_LENGTH,
        "sql-ish": "Bearer x'.or.'1'='1",
        "long prefix": f"Bearer {'a' * 200}.{secret}",
        "tab separator": f"Bearer\t{key}",
        "padding only": "Bearer ====",
    }


def shown_key(response) -> str:
    """The one key the admin announced in its messages."""
    keys = KEY_PATTERN.findall(html.unescape(response.content.decode()))
    assert len(keys) == 1, keys
    return keys[0]


def plugin_form_data(plugin, **changes) -> dict:
    data = {
        field: getattr(plugin, field)
        for field in [
            "slug",
            "kind",
            "name_for_human",
            "name_for_model",
            "description_for_human",
            "description_for_model",
            "contact_email",
            "legal_info_url",
            "auth_type",
            "authorization_type",
            "verification_token",
            "oauth_scope",
        ]
    }
    data["is_active"] = "on"
    hosts = list(plugin.hosts.all())
    data.update(
        {
            "hosts-TOTAL_FORMS": len(hosts),
            "hosts-INITIAL_FORMS": len(hosts),
            "hosts-MIN_NUM_FORMS": 0,
            "hosts-MAX_NUM_FORMS": 1000,
        }
    )
    for i, host in enumerate(hosts):
        data[f"hosts-{i}-id"] = host.pk
        data[f"hosts-{i}-plugin"] = plugin.pk
        data[f"hosts-{i}-hostname"] = host.hostname
    data.update(changes)
    return data
