"""Plugins under a path: /<prefix>/<slug>/ on any allowed host, beside their own hostnames.

Some clients cannot reach a plugin by its hostname (Node's resolver does not map
`*.localhost`, and Node's fetch drops a custom Host header), and some deployments have one
domain. Every plugin therefore also answers at <origin>/<prefix>/<slug>/ (PLUGIN_SERVER
"PATH_PREFIX", "PATH_MOUNTS"). The host middleware splits such a path as a WSGI server splits
an application's mount point: "/<prefix>/<slug>" becomes SCRIPT_NAME and Django's script
prefix (so reverse() and {% url %} include it), the rest becomes path_info, and every view
runs as it does on the plugin's own host, writing its URLs from plugin_base_url().

RFC 8414 and RFC 9728 put an issuer's or a resource's path after the well-known name:
/.well-known/oauth-authorization-server/p/<slug> is that plugin's
/.well-known/oauth-authorization-server, and likewise for oauth-protected-resource.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from pluginmeta.http import request_origin

# Metadata documents whose URL takes a path-form issuer or resource after the well-known name.
WELL_KNOWN_INSERTED = ("oauth-authorization-server", "oauth-protected-resource")
# The alphabet of Plugin.slug (a SlugField).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PREFIX_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


@dataclass(frozen=True)
class Mount:
    """A path under the mount prefix: the slug it names ("" if none is valid), split in two."""

    slug: str
    script_name: str  # "/p/<slug>"
    path_info: str  # the path as the plugin's own host would receive it; "/" at least


@lru_cache(maxsize=4)
def _mount_pattern(prefix: str) -> tuple[tuple[str, ...], re.Pattern]:
    """How a mount path starts (a test cheaper than the pattern, for every other request),
    and the pattern that splits it."""
    segment = prefix.strip("/")
    if not PREFIX_SEGMENT.fullmatch(segment):
        raise ImproperlyConfigured(
            f"PLUGIN_PATH_PREFIX {prefix!r} must be one path segment of letters, digits, "
            "'.', '_', '~' or '-', e.g. p."
        )
    names = "|".join(re.escape(name) for name in WELL_KNOWN_INSERTED)
    starts = (f"/{segment}", *(f"/.well-known/{name}/" for name in WELL_KNOWN_INSERTED))
    return starts, re.compile(
        rf"\A(?P<well_known>/\.well-known/(?:{names}))?"
        rf"/(?P<prefix>{re.escape(segment)})(?:/(?P<slug>[^/]*)(?P<rest>/.*)?)?\Z",
        re.DOTALL,
    )


def split_mount(path: str) -> Mount | None:
    """The mount a request path is under, or None when path mounting does not apply to it.

    Everything under the prefix belongs to the mounts: a path naming no valid slug is a
    Mount with slug "", which is answered 404 as an unknown slug is, never passed on to the
    host's own plugin.
    """
    server = settings.PLUGIN_SERVER
    if not server["PATH_MOUNTS"]:
        return None
    starts, pattern = _mount_pattern(server["PATH_PREFIX"])
    match = pattern.match(path) if path.startswith(starts) else None
    if match is None:
        return None
    slug = match["slug"] or ""
    if not SLUG.fullmatch(slug):
        slug = ""
    path_info = (match["well_known"] or "") + (match["rest"] or "")
    return Mount(slug, f"/{match['prefix']}/{slug}", path_info or "/")


def mount_path(request: HttpRequest) -> str:
    """The path this request's plugin is served under: "" on its host, "/p/<slug>" by path."""
    return request.META.get("SCRIPT_NAME", "").rstrip("/")


def plugin_base_url(request: HttpRequest) -> str:
    """Where this request's plugin is served: its origin, and the mount path when by path.

    Every URL a plugin writes (manifest, spec, OAuth metadata, pages) starts with this.
    """
    return f"{request_origin(request)}{mount_path(request)}"


def serves_resource(base_url: str, resource: str) -> bool:
    """Whether resource (RFC 8707) is one of the plugin's at base_url: on its origin and under
    its mount path, and not under another plugin's mount on the same origin."""
    try:
        base, wanted = urlsplit(base_url), urlsplit(resource)
        same_origin = (
            wanted.scheme.lower() == base.scheme.lower()
            and (wanted.hostname or "") == (base.hostname or "")
            and _port(wanted) == _port(base)
        )
    except ValueError:
        return False
    root = base.path.rstrip("/")
    path = wanted.path
    if not same_origin or not (path == root or path.startswith(f"{root}/")):
        return False
    return split_mount(path[len(root) :]) is None


def _port(parts) -> int | None:
    return parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def covers_mounts(base_url: str, resource: str) -> bool:
    """Whether a token bound to resource would pass under every plugin's path on this host.

    django-oauth-toolkit admits a call whose URL starts with the token's resource, so a
    resource at the root of a plugin's host also admits /p/<any slug>/...: the other plugins
    reached by path on that host. Only a client tied to no plugin (a metadata
    document's) relies on that check alone, and is refused such a resource.
    """
    server = settings.PLUGIN_SERVER
    try:
        root = urlsplit(base_url).path.rstrip("/")
        path = urlsplit(resource).path
    except ValueError:
        return False
    if not server["PATH_MOUNTS"] or split_mount(root) is not None:
        return False
    return path[len(root) :].rstrip("/") == ""
