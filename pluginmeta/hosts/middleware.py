"""Routing: the plugin for the validated Host or for the path's slug, or a JSON refusal."""

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.urls import get_script_prefix, set_script_prefix
from django.utils.cache import patch_vary_headers

from pluginmeta.api.errors import (
    database_unavailable,
    is_database_outage,
    json_error,
    json_method_not_allowed,
)
from pluginmeta.hosts.mount import Mount, split_mount
from pluginmeta.hosts.resolver import plugin_for_hostname, plugin_for_slug, urlconf_for_kind

logger = logging.getLogger(__name__)
disallowed_host_logger = logging.getLogger("django.security.DisallowedHost")

# Only a name made of these is repeated back; anything else could smuggle markup or controls.
PRINTABLE_HOST = re.compile(r"\A[A-Za-z0-9.\-\[\]:]{1,255}\Z")


def disallowed_host(request: HttpRequest) -> JsonResponse:
    """400 JSON naming the refused host (when it is a plain name) and the setting to add it to."""
    raw_host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    domain, _port = split_domain_port(raw_host) if PRINTABLE_HOST.match(raw_host) else ("", "")
    disallowed_host_logger.warning("Refused Host header %r", raw_host)
    if not domain:
        return json_error(
            400,
            "disallowed_host",
            "The Host header is not a valid host name; this server answers only the hosts "
            "listed in DJANGO_ALLOWED_HOSTS.",
        )
    return json_error(
        400,
        "disallowed_host",
        f"The host {domain} is not in DJANGO_ALLOWED_HOSTS; add it there to serve it.",
        host=domain,
    )


def is_valid_port(port: str) -> bool:
    """A TCP port written the one canonical way: 1-65535 without leading zeros."""
    return port.isascii() and port.isdigit() and port[0] != "0" and int(port) <= 65535


class PluginHostMiddleware:
    """Sets request.plugin and request.urlconf, or answers 404 JSON for hosts with no plugin.

    A path under the mount prefix (/p/<slug>/..., pluginmeta/hosts/mount.py) names its plugin
    on any allowed host, the host's own plugin or none: the slug's plugin is served with its
    own authentication and data, and path_info is the rest of the path.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django prefixes relative STATIC_URL and MEDIA_URL with the script prefix of the
        # request that first reads them, and keeps the result: read them now, at the root, so
        # a first request by path cannot give every later page its plugin's prefix.
        _ = settings.STATIC_URL, settings.MEDIA_URL

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # get_host() checks ALLOWED_HOSTS and raises DisallowedHost for anything else, so only
        # validated names reach the lookup and the manifest.
        try:
            domain, port = split_domain_port(request.get_host())
        except DisallowedHost:
            return disallowed_host(request)
        if port and not is_valid_port(port):
            # The host is echoed into the manifest, spec and OAuth metadata as the origin.
            return json_error(400, "bad_request", "The Host header's port must be 1-65535.")
        mount = split_mount(request.path_info)
        try:
            if mount is None:
                plugin = plugin_for_hostname(domain)
            else:
                plugin = plugin_for_slug(mount.slug) if mount.slug else None
        except DatabaseError:
            logger.exception("host lookup: database unreachable")
            # Before routing, the path alone tells an MCP client, which reads JSON-RPC errors.
            path = request.path_info if mount is None else mount.path_info
            return database_unavailable(json_rpc=path.endswith("/mcp"))
        if plugin is None and mount is None:
            response = json_error(404, "unknown_host", "No plugin is served on this host.")
        elif plugin is None:
            response = json_error(404, "unknown_plugin", "No plugin is served at this path.")
        else:
            request.plugin = plugin
            request.urlconf = urlconf_for_kind(plugin.kind)
            response = json_method_not_allowed(self.serve(request, mount))
        patch_vary_headers(response, ("Host",))
        return response

    def serve(self, request: HttpRequest, mount: Mount | None) -> HttpResponse:
        if mount is None:
            return self.get_response(request)
        # As a WSGI server mounting an application: request.path keeps the whole path, for
        # redirects and for the token checks that compare it with a token's resource.
        request.META["SCRIPT_NAME"] = request.META.get("SCRIPT_NAME", "").rstrip("/") + (
            mount.script_name
        )
        request.path_info = mount.path_info
        root_prefix = get_script_prefix()
        set_script_prefix(f"{root_prefix.rstrip('/')}{mount.script_name}/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(root_prefix)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Views outside DRF (admin, pages) would otherwise turn a lost database into a 500.
        if is_database_outage(exception):
            logger.exception("database unreachable", exc_info=exception)
            return database_unavailable()
        return None
