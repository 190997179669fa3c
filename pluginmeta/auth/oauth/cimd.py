"""Client ID Metadata Documents: OAuth clients whose client_id is the https URL of their metadata.

An MCP client (MCP authorization, 2025-11-25) may skip registration and send the URL of a JSON
document describing itself as its client_id. The server fetches that document, checks it as
it checks a registration (pluginmeta.auth.oauth.registration) and keeps a public client for
it (django-oauth-toolkit's Application, registration_source "cimd", with no plugin link: one
URL serves every oauth plugin, and each token is bound to its plugin by its RFC 8707 resource).

The fetch is an outbound request to a URL a stranger chose, from inside the server, so it is
guarded: https only (plain http only to a loopback address, and only when
OAUTH_CIMD_ALLOW_LOOPBACK_HTTP is on); the name is resolved once and every address must be
public, and the connection goes to that checked address (TLS still checks the certificate
against the name), so a second DNS answer cannot send it elsewhere; no redirects; a timeout
and a size cap; at most CIMD_MAX_CONCURRENT_FETCHES at once per process. The document is kept
in the shared cache for as long as its Cache-Control allows, between a floor and a ceiling;
no-store or no-cache keep it not at all.
"""

import hashlib
import ipaddress
import json
import logging
import re
import socket
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import SplitResult, urlsplit

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http.request import validate_host
from django.utils import timezone
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749.errors import FatalClientError

from pluginmeta.auth.oauth.backend import ORIGIN_KEY
from pluginmeta.auth.oauth.registration import (
    RegistrationRefused,
    checked_client_metadata,
    is_reserved_name,
)
from pluginmeta.cache import CacheUnavailable
from pluginmeta.models import Plugin, PluginHost

logger = logging.getLogger(__name__)

CACHE_PREFIX = "oauth-cimd:"
JSON_MEDIA = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")
# The longest client_id django-oauth-toolkit's Application stores.
URL_MAX_LENGTH = 255
# RFC 6052's NAT64 prefix carries an IPv4 address in its low 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class MetadataDocumentRefused(FatalClientError):
    """The client's metadata document cannot be used: shown on the authorization page (the
    redirect URI cannot be trusted) and answered as JSON by the token endpoint."""

    error = "invalid_client"
    status_code = 400

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(description=f"The client's metadata document ({url}) {reason}")
        self.reason = reason


@dataclass(frozen=True)
class ClientMetadata:
    """What this server keeps of a checked document."""

    name: str
    redirect_uris: list[str]


def enabled() -> bool:
    return bool(oauth2_settings.CIMD_ENABLED)


def loopback_allowed() -> bool:
    return bool(settings.OAUTH_CIMD_ALLOW_LOOPBACK_HTTP)


def is_metadata_url(client_id: str) -> bool:
    """Whether client_id names a metadata document (and so is fetched, not looked up). Plain
    http counts too, so that it is refused with its reason rather than as an unknown client."""
    if not enabled() or not client_id:
        return False
    return client_id[:8].lower().startswith(("https://", "http://"))


def is_metadata_client(application) -> bool:
    return (
        application is not None
        and application.registration_source == get_application_model().RegistrationSource.CIMD
    )


def checked_url(url: str) -> SplitResult:
    """The parts of a client_id URL the draft allows; MetadataDocumentRefused otherwise."""
    if len(url) > URL_MAX_LENGTH:
        raise MetadataDocumentRefused(url[:60] + "...", f"is longer than {URL_MAX_LENGTH}.")
    if not url.isascii() or any(ch.isspace() or not ch.isprintable() for ch in url):
        raise MetadataDocumentRefused(url, "must be a printable ASCII URL.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise MetadataDocumentRefused(url, "is not a valid URL.") from None
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback_allowed()):
        raise MetadataDocumentRefused(url, "must be an https URL.")
    if not parts.hostname or port == 0:
        raise MetadataDocumentRefused(url, "must name a host (and a valid port).")
    if "@" in parts.netloc or parts.fragment or "#" in url:
        raise MetadataDocumentRefused(url, "must not hold a user name, password or fragment.")
    if parts.path in ("", "/") or any(seg in (".", "..") for seg in parts.path.split("/")):
        raise MetadataDocumentRefused(url, "must have a path, without . or .. segments.")
    return parts


def judged_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address a connection would reach: IPv6 forms carrying an IPv4 address give it."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # (Teredo, 2001::/32, is not global as a whole, so it needs no unpacking.)
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return embedded
    return ip


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # is_global alone lets some multicast ranges through.
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_link_local
    )


def checked_addresses(url: str, parts: SplitResult) -> list[str]:
    """Every address parts.hostname resolves to, all of them allowed; else refused."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise MetadataDocumentRefused(url, "names a host that does not resolve.") from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        ip = judged_address(address)
        if loopback_allowed() and ip.is_loopback:
            pass
        elif parts.scheme == "http":
            raise MetadataDocumentRefused(url, "may use plain http only on a loopback address.")
        elif not is_public(ip):
            # One bad answer refuses the host: a mix must not smuggle in an internal address.
            raise MetadataDocumentRefused(
                url, f"is on a host that resolves to a non-public address ({address})."
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise MetadataDocumentRefused(url, "names a host that does not resolve.")
    return addresses


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def names_this_server(parts: SplitResult, here: str) -> bool:
    """Whether this very server would answer parts (its origin here, scheme://host[:port]):
    its /oauth would then fetch a client_id named in that URL's query, and so on."""
    try:
        here_parts = urlsplit(here)
        here_port = here_parts.port or default_port(here_parts.scheme)
    except ValueError:
        return False
    if (parts.port or default_port(parts.scheme)) != here_port:
        return False
    host = (parts.hostname or "").lower()
    served = [pattern for pattern in settings.ALLOWED_HOSTS if pattern != "*"]
    return (
        host == (here_parts.hostname or "").lower()
        or validate_host(host, served)
        or PluginHost.objects.filter(hostname=host).exists()
    )


def freshness(cache_control: str | None) -> int:
    """Seconds the document may be kept: its max-age between CIMD_METADATA_MIN_AGE_SECONDS and
    CIMD_METADATA_MAX_AGE_SECONDS (the floor without one); 0 for no-store or no-cache."""
    floor = int(oauth2_settings.CIMD_METADATA_MIN_AGE_SECONDS)
    ceiling = int(oauth2_settings.CIMD_METADATA_MAX_AGE_SECONDS)
    directives: dict[str, str] = {}
    for item in (cache_control or "").split(","):
        name, _, value = item.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return 0
    try:
        age = int(directives["max-age"])
    except (KeyError, ValueError):
        age = floor
    return max(floor, min(age, ceiling))


_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


@contextmanager
def fetch_slot(url: str):
    """One of CIMD_MAX_CONCURRENT_FETCHES in this process, or refused at once: a flood of slow
    documents cannot hold every worker."""
    global _slots
    size = oauth2_settings.CIMD_MAX_CONCURRENT_FETCHES
    if not size:
        yield
        return
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        semaphore = _slots[1]
    if not semaphore.acquire(blocking=False):
        raise MetadataDocumentRefused(url, "cannot be fetched now: too many fetches; try again.")
    try:
        yield
    finally:
        semaphore.release()


def _pinned_url(parts: SplitResult, address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{host}{port}{parts.path or '/'}{query}"


def _read_document(url: str, response: httpx.Response, deadline: float) -> tuple[dict, int]:
    if response.is_redirect:
        raise MetadataDocumentRefused(
            url, f"answered with a redirect (HTTP {response.status_code}); none is followed."
        )
    if response.status_code != 200:
        raise MetadataDocumentRefused(url, f"answered HTTP {response.status_code}, not 200.")
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not JSON_MEDIA.match(media):
        raise MetadataDocumentRefused(url, f"is not JSON (Content-Type {media or 'missing'!r}).")
    limit = int(oauth2_settings.CIMD_MAX_DOCUMENT_SIZE)
    too_big = MetadataDocumentRefused(url, f"is larger than {limit} bytes.")
    try:
        declared = int(response.headers.get("Content-Length", "0"))
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_big
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise too_big  # stops reading here
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the document took too long")
    try:
        document = json.loads(bytes(body))
    except (ValueError, RecursionError):
        raise MetadataDocumentRefused(url, "is not valid JSON.") from None
    if not isinstance(document, dict):
        raise MetadataDocumentRefused(url, "must be a JSON object.")
    return document, freshness(response.headers.get("Cache-Control"))


def fetch_document(url: str) -> tuple[dict, int]:
    """The JSON object at url and the seconds it may be kept, fetched under every guard."""
    parts = checked_url(url)
    addresses = checked_addresses(url, parts)
    timeout = float(oauth2_settings.CIMD_FETCH_TIMEOUT_SECONDS)
    # The platform's trust store (SSL_CERT_FILE if set) but no proxy from the environment: a
    # proxy would resolve the name again itself.
    tls = httpx.create_ssl_context() if parts.scheme == "https" else False
    headers = {"Host": parts.netloc, "Accept": "application/json"}
    too_slow = MetadataDocumentRefused(url, f"did not arrive within {timeout:g} seconds.")
    with fetch_slot(url), httpx.Client(verify=tls, trust_env=False) as client:
        # One deadline for every address of the host, and for the whole body.
        deadline = time.monotonic() + timeout
        failure = "no address answered"
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                with client.stream(
                    "GET",
                    _pinned_url(parts, address),
                    headers=headers,
                    follow_redirects=False,
                    timeout=httpx.Timeout(remaining),
                    # TLS names and checks the host, though the connection goes to the address.
                    extensions={"sni_hostname": parts.hostname},
                ) as response:
                    return _read_document(url, response, deadline)
            except httpx.ConnectError as exc:  # refused, unreachable, or TLS not accepted
                failure = str(exc)[:200] or type(exc).__name__
                continue  # the next address of the host, within the same deadline
            except httpx.TimeoutException:
                raise too_slow from None
            except httpx.HTTPError as exc:
                raise MetadataDocumentRefused(
                    url, f"could not be fetched ({type(exc).__name__})."
                ) from None
    if time.monotonic() > deadline:
        raise too_slow
    raise MetadataDocumentRefused(url, f"could not be fetched ({failure}).")


def checked_document(url: str, document: dict) -> ClientMetadata:
    """The client a document describes, checked as a registration is; refused otherwise."""
    if document.get("client_id") != url:
        raise MetadataDocumentRefused(url, "names another client_id than its own URL.")
    method = document.get("token_endpoint_auth_method", "none")
    if method != "none":
        raise MetadataDocumentRefused(
            url, f"asks for token_endpoint_auth_method {method!r}; only 'none' (a public client)."
        )
    if "client_secret" in document or "client_secret_expires_at" in document:
        raise MetadataDocumentRefused(url, "must not hold a client_secret.")
    try:
        name, redirect_uris = checked_client_metadata(document)
    except RegistrationRefused as exc:
        raise MetadataDocumentRefused(url, f"is refused: {exc}") from None
    return ClientMetadata(name=name, redirect_uris=redirect_uris)


def _cache_key(url: str) -> str:
    return CACHE_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def _cached(url: str) -> ClientMetadata | None:
    try:
        value = cache.get(_cache_key(url))
    except CacheUnavailable:
        return None
    return ClientMetadata(**value) if isinstance(value, dict) else None


def _keep(url: str, metadata: ClientMetadata, seconds: int) -> None:
    if seconds <= 0:
        return
    with suppress(CacheUnavailable):  # then fetched again next time
        cache.set(_cache_key(url), metadata.__dict__, timeout=seconds)


def stored_client(url: str, metadata: ClientMetadata, seconds: int | None):
    """The public Application for url, created or brought up to date with metadata; seconds is
    how long a just fetched document may be kept (None when it came from the cache)."""
    model = get_application_model()
    application = model.objects.filter(client_id=url).first()
    if application is not None and not is_metadata_client(application):
        # Registered otherwise since this request looked (metadata_client looks first).
        raise MetadataDocumentRefused(url, "is the client_id of a client registered otherwise.")
    uris = " ".join(metadata.redirect_uris)
    expires = timezone.now() + timedelta(
        seconds=int(oauth2_settings.CIMD_METADATA_MIN_AGE_SECONDS) if seconds is None else seconds
    )
    if application is not None and (application.name, application.redirect_uris) == (
        metadata.name,
        uris,
    ):
        if seconds is not None:
            model.objects.filter(pk=application.pk).update(cimd_expires_at=expires)
        return application
    application = application or model(client_id=url)
    application.name = metadata.name
    application.redirect_uris = uris
    application.user = None
    application.client_type = AbstractApplication.CLIENT_PUBLIC
    application.client_secret = ""
    application.hash_client_secret = False
    application.authorization_grant_type = AbstractApplication.GRANT_AUTHORIZATION_CODE
    application.registration_source = model.RegistrationSource.CIMD
    application.skip_authorization = False
    # For django-oauth-toolkit's clearcimdapplications, which removes unused expired ones.
    application.cimd_expires_at = expires
    try:
        application.full_clean(exclude=["user", "client_secret"], validate_unique=False)
    except ValidationError as exc:
        raise MetadataDocumentRefused(url, f"is refused: {'; '.join(exc.messages)}") from None
    try:
        application.save()
    except IntegrityError:  # another request stored it first
        application = model.objects.get(client_id=url)
    return application


def client_metadata(url: str) -> tuple[ClientMetadata, int | None]:
    """The checked document of url, and None if it came from the cache, else the seconds it may
    be kept (it is kept that long)."""
    cached = _cached(url)
    if cached is not None:
        return cached, None
    document, seconds = fetch_document(url)
    metadata = checked_document(url, document)
    _keep(url, metadata, seconds)
    return metadata, seconds


def metadata_client(url: str, plugin_id: str | None, oauthlib_request):
    """The public client of the metadata document at url, for the plugin whose host asks; None
    when a client registered otherwise (by an operator) holds url as its id, which then wins;
    MetadataDocumentRefused (logged) when the document cannot be used."""
    held = get_application_model().objects.filter(client_id=url).first()
    if held is not None and not is_metadata_client(held):
        return None
    try:
        permissions = oauth2_settings.CIMD_REGISTRATION_PERMISSION_CLASSES
        if not permissions or not all(
            cls().has_permission(oauthlib_request, url) for cls in permissions
        ):
            raise MetadataDocumentRefused(url, "is not on a host this server accepts.")
        headers = getattr(oauthlib_request, "headers", None) or {}
        if names_this_server(checked_url(url), headers.get(ORIGIN_KEY) or ""):
            raise MetadataDocumentRefused(url, "is on this server itself.")
        metadata, seconds = client_metadata(url)
        plugin = Plugin.objects.filter(pk=plugin_id).first() if plugin_id else None
        if plugin is None:
            raise MetadataDocumentRefused(url, "was sent to a host that serves no plugin.")
        if is_reserved_name(metadata.name, plugin, metadata.redirect_uris):
            raise MetadataDocumentRefused(
                url, f"is refused: client_name {metadata.name!r} is reserved."
            )
        return stored_client(url, metadata, seconds)
    except MetadataDocumentRefused as refused:
        logger.warning("client metadata document refused: %s", refused.description)
        raise
