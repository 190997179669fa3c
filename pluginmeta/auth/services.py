"""Services for service-level and user-level keys: issue, rotate, revoke, read and check them."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from pluginmeta.models import Plugin
from pluginmeta.models.keys import ServiceKey, UserKey
from pluginmeta.selectors import find_plugin, no_plugin_message

# RFC 6750 b64token, capped: anything else (non-ASCII, spaces, NUL, huge values) is refused
# before it reaches the database.
MAX_TOKEN_LENGTH = 256
AUTHORIZATION_PATTERN = re.compile(
    r"\A(?P<scheme>[A-Za-z][A-Za-z0-9._~+-]*) (?P<token>[A-Za-z0-9._~+/-]+=*)\Z"
)
SERVICE_KEY_NAME = "service key"
KEY_NAME_MAX_LENGTH = UserKey._meta.get_field("name").max_length


class InvalidCredential(Exception):
    """The Authorization header is present but is not a usable bearer key."""


class KeySetupError(Exception):
    """A key cannot be issued for this plugin or user."""


def bearer_token(authorization: str) -> str:
    """The token of an "Authorization: Bearer <token>" value; raises InvalidCredential otherwise."""
    match = AUTHORIZATION_PATTERN.match(authorization)
    if match is None:
        raise InvalidCredential("Send the key as: Authorization: Bearer <key>.")
    if match["scheme"].lower() != "bearer":
        raise InvalidCredential(f"Unsupported scheme {match['scheme']!r}; use Bearer.")
    token = match["token"]
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidCredential("The key is too long.")
    return token


def _prefix_of(token: str) -> str:
    prefix, dot, secret = token.partition(".")
    if not dot or not prefix or not secret:
        raise InvalidCredential("The key is malformed.")
    return prefix


def _check(key: ServiceKey | UserKey | None, token: str) -> None:
    # The stored value is "sha512$$<hex>" and verify() compares it in constant time.
    if key is None or key.has_expired or not key.is_valid(token):
        raise InvalidCredential("The key is not valid.")


def check_service_key(plugin: Plugin, token: str) -> ServiceKey:
    """The plugin's service key if token is it; raises InvalidCredential otherwise."""
    # Read from the database on every request, not from the cached plugin, so a rotated key
    # is refused by every process at once.
    key = ServiceKey.objects.filter(
        plugin_id=plugin.pk, prefix=_prefix_of(token), revoked=False
    ).first()
    _check(key, token)
    return key


def check_user_key(plugin: Plugin, token: str) -> UserKey:
    """The user key that token is, for this plugin and an active user; raises otherwise."""
    key = (
        UserKey.objects.select_related("user")
        .filter(plugin_id=plugin.pk, prefix=_prefix_of(token), revoked=False)
        .first()
    )
    _check(key, token)
    if not key.user.is_active:
        raise InvalidCredential("The key's user is inactive.")
    return key


def plugin_for_host(hostname: str) -> Plugin:
    """The plugin served on hostname; raises KeySetupError if none is."""
    plugin = find_plugin(hostname)
    if plugin is None:
        raise KeySetupError(no_plugin_message(hostname))
    return plugin


def _require_auth_type(plugin: Plugin, auth_type: str) -> None:
    if plugin.auth_type != auth_type:
        actual, wanted = str(plugin.auth_type), str(auth_type)
        raise KeySetupError(f"{plugin.slug} uses auth type {actual}, not {wanted}.")


def rotate_service_key(plugin: Plugin) -> str:
    """Issues a new service key for plugin, replacing any old one, and returns it (shown once)."""
    _require_auth_type(plugin, Plugin.AuthType.SERVICE_HTTP)
    with transaction.atomic():
        # Lock the plugin so two concurrent rotations cannot both leave a key.
        Plugin.objects.select_for_update().filter(pk=plugin.pk).first()
        ServiceKey.objects.filter(plugin_id=plugin.pk).delete()
        _key_row, key = ServiceKey.objects.create_key(plugin=plugin, name=SERVICE_KEY_NAME)
    return key


def service_key_prefix(plugin: Plugin) -> str:
    """The stored prefix of plugin's service key, or "" if it has none."""
    return (
        ServiceKey.objects.filter(plugin_id=plugin.pk).values_list("prefix", flat=True).first()
        or ""
    )


def set_verification_token(plugin: Plugin, token: str) -> None:
    """Stores the verification token ChatGPT gave for this plugin (shown in its manifest)."""
    _require_auth_type(plugin, Plugin.AuthType.SERVICE_HTTP)
    plugin.set_verification_token(token)


def single_user_http_plugin() -> Plugin:
    """The only user_http plugin; raises KeySetupError if there are none or several."""
    plugins = list(Plugin.objects.filter(auth_type=Plugin.AuthType.USER_HTTP)[:2])
    if len(plugins) != 1:
        found = "no" if not plugins else "several"
        raise KeySetupError(f"There are {found} user_http plugins; name one with --host.")
    return plugins[0]


def get_or_create_user(username: str) -> tuple[AbstractBaseUser, bool]:
    """The user called username, created without a usable password if missing."""
    user_model = get_user_model()
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
    if user is not None:
        return user, False
    user = user_model(**{user_model.USERNAME_FIELD: username})
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user, True


def create_user_key(user: AbstractBaseUser, plugin: Plugin, name: str = "") -> tuple[UserKey, str]:
    """Issues a new key for user on plugin and returns the row and the key (shown once)."""
    _require_auth_type(plugin, Plugin.AuthType.USER_HTTP)
    if not user.is_active:
        raise KeySetupError(f"User {user.get_username()!r} is inactive.")
    if len(name) > KEY_NAME_MAX_LENGTH:
        raise KeySetupError(f"A key name has at most {KEY_NAME_MAX_LENGTH} characters.")
    return UserKey.objects.create_key(user=user, plugin=plugin, name=name or "key")


def revoke_user_keys(keys) -> int:
    """Revokes every key of the queryset; each is refused from the next request on."""
    return keys.filter(revoked=False).update(revoked=True)
