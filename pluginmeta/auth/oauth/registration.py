"""Dynamic Client Registration (RFC 7591) on oauth plugin hosts, for MCP clients.

MCP clients (ChatGPT and claude.ai connectors, Claude Code, the Python SDK) register
themselves. Each registration is a public authorization-code client of the host's plugin
only: it has no secret, so S256 PKCE binds its codes (the validator requires it of public
clients), and its tokens are refused on every other host.
"""

import json
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import DynamicClientRegistrationView

from pluginmeta.auth.oauth.limits import take_registration
from pluginmeta.auth.oauth.services import check_redirect_uri
from pluginmeta.models import Plugin, PluginOAuthClient

NAME_MAX_LENGTH = 100
# RFC 7591 lets the server replace requested values; these are the only ones it issues.
GRANT_TYPES = ["authorization_code", "refresh_token"]
RESPONSE_TYPES = ["code"]
JSON_TYPE = "application/json"
# Names of the assistants people know and trust, each with the domains its own callbacks are
# on. A client that registered itself may take one only when every redirect URI is https on
# that assistant's domains (so a code can only ever reach the assistant itself, as when its
# connector registers); the plugin's own names not at all. An operator may take any, in the
# admin or with register_chatgpt_client. Compared in their plain form (see plain_name).
OPENAI_DOMAINS = ("chatgpt.com", "openai.com")
ANTHROPIC_DOMAINS = ("claude.ai", "claude.com", "anthropic.com")
ASSISTANT_DOMAINS: dict[str, tuple[str, ...]] = {
    "chatgpt": OPENAI_DOMAINS,
    "openai": OPENAI_DOMAINS,
    "claude": ANTHROPIC_DOMAINS,
    "anthropic": ANTHROPIC_DOMAINS,
}


def plain_name(name: str) -> str:
    """A name without case, spacing, punctuation or compatibility forms: "Chat-GPT" -> "chatgpt"."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def is_on_domains(uri: str, domains: tuple[str, ...]) -> bool:
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == domain or host.endswith(f".{domain}") for domain in domains
    )


def is_reserved_name(name: str, plugin: Plugin, redirect_uris: list[str]) -> bool:
    """Whether a self-registered client may not call itself name with these redirect URIs."""
    plain = plain_name(name)
    if plain in {plain_name(plugin.name_for_human), plain_name(plugin.name_for_model)}:
        return True
    domains = ASSISTANT_DOMAINS.get(plain)
    return domains is not None and not all(is_on_domains(uri, domains) for uri in redirect_uris)


class RegistrationRefused(ValueError):
    """Client metadata this server will not register; answered with RFC 7591's error."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error


def _strings(data: dict, name: str, default: list[str]) -> list[str]:
    value = data.get(name, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RegistrationRefused("invalid_client_metadata", f"{name} must be an array of strings.")
    return value


def checked_metadata(data: object, plugin: Plugin) -> tuple[str, list[str]]:
    """The client name and redirect URIs of a registration request; RegistrationRefused if bad."""
    name, redirect_uris = checked_client_metadata(data)
    if is_reserved_name(name, plugin, redirect_uris):
        raise RegistrationRefused(
            "invalid_client_metadata",
            f"client_name {name!r} is reserved; choose a name of your own.",
        )
    return name, redirect_uris


def checked_client_metadata(data: object) -> tuple[str, list[str]]:
    """The client name and redirect URIs of client metadata (a registration request or a client
    ID metadata document), whatever plugin it is for; RegistrationRefused if bad."""
    if not isinstance(data, dict):
        raise RegistrationRefused("invalid_client_metadata", "The body must be a JSON object.")
    grant_types = _strings(data, "grant_types", ["authorization_code"])
    if not set(grant_types) <= set(GRANT_TYPES) or "authorization_code" not in grant_types:
        raise RegistrationRefused(
            "invalid_client_metadata",
            "Only the authorization_code grant (with refresh) is offered.",
        )
    if set(_strings(data, "response_types", RESPONSE_TYPES)) != set(RESPONSE_TYPES):
        raise RegistrationRefused("invalid_client_metadata", "Only the code response type.")
    redirect_uris = _strings(data, "redirect_uris", [])
    if not redirect_uris:
        raise RegistrationRefused("invalid_redirect_uri", "Give at least one redirect URI.")
    for uri in redirect_uris:
        try:
            check_redirect_uri(uri)
        except ValidationError as exc:
            raise RegistrationRefused("invalid_redirect_uri", exc.messages[0]) from None
    name = data.get("client_name", "MCP client")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
        raise RegistrationRefused(
            "invalid_client_metadata", f"client_name must be 1 to {NAME_MAX_LENGTH} characters."
        )
    if not name.isprintable():
        raise RegistrationRefused("invalid_client_metadata", "client_name must be printable.")
    return name.strip(), redirect_uris


@transaction.atomic
def register_public_client(plugin: Plugin, name: str, redirect_uris: list[str]):
    """Creates a public authorization-code client bound to plugin; returns the application."""
    application_model = get_application_model()
    application = application_model(
        name=name,
        client_type=AbstractApplication.CLIENT_PUBLIC,
        # A public client has no secret, so there is nothing to generate, hash or check.
        client_secret="",
        hash_client_secret=False,
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        registration_source=application_model.RegistrationSource.DCR,
        skip_authorization=False,
    )
    application.full_clean(exclude=["user", "client_secret"])
    application.save()
    PluginOAuthClient.objects.create(plugin=plugin, application=application)
    return application


def metadata_body(request: HttpRequest) -> bytes | None:
    """The request body, or None if it is larger than OAUTH_REGISTER_MAX_BYTES."""
    limit = settings.OAUTH_REGISTER_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:  # refused before a byte of it is read
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return body if len(body) <= limit else None


def registration_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


class PluginClientRegistrationView(DynamicClientRegistrationView):
    """POST /oauth/register: django-oauth-toolkit's DCR endpoint, registering for this plugin.

    Its switch (DCR_ENABLED), permission classes and CSRF exemption are django-oauth-toolkit's;
    registration itself is ours, because the toolkit's makes clients of no plugin and
    confidential ones.
    """

    http_method_names = ["post", "options"]

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        response = registration_error("invalid_request", "Register with POST.", status=405)
        response["Allow"] = "POST, OPTIONS"
        return response

    def post(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        permissions = oauth2_settings.DCR_REGISTRATION_PERMISSION_CLASSES
        if not permissions or not all(cls().has_permission(request) for cls in permissions):
            return registration_error("access_denied", "Registration is not open.", status=401)
        wait = take_registration(request)
        if wait is not None:
            response = registration_error(
                "temporarily_unavailable",
                f"Too many registrations from this address; try again in {wait} seconds.",
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        # Only JSON: a web page elsewhere can send text/plain or a form without asking first
        # (no CORS preflight), but not application/json.
        if (request.content_type or "").lower() != JSON_TYPE:
            return registration_error(
                "invalid_request", f"Send the client metadata as {JSON_TYPE}.", status=415
            )
        body = metadata_body(request)
        if body is None:
            return registration_error(
                "invalid_request",
                f"The client metadata is larger than {settings.OAUTH_REGISTER_MAX_BYTES} bytes.",
                status=413,
            )
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return registration_error("invalid_client_metadata", "The body must be valid JSON.")
        try:
            name, redirect_uris = checked_metadata(data, request.plugin)
            application = register_public_client(request.plugin, name, redirect_uris)
        except RegistrationRefused as exc:
            return registration_error(exc.error, str(exc))
        except ValidationError as exc:
            return registration_error("invalid_client_metadata", "; ".join(exc.messages))
        response = JsonResponse(
            {
                "client_id": application.client_id,
                "client_id_issued_at": int(application.created.timestamp()),
                "client_name": application.name,
                "redirect_uris": redirect_uris,
                "grant_types": GRANT_TYPES,
                "response_types": RESPONSE_TYPES,
                "token_endpoint_auth_method": "none",
                "scope": request.plugin.oauth_scope,
            },
            status=201,
        )
        response["Cache-Control"] = "no-store"
        return response
