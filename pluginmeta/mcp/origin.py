"""Origin validation for /mcp (MCP transport spec): only pages of the plugin's own hosts call it,
and, when the plugin is reached by path, pages of the host it is reached on.

Browsers send Origin on cross-site requests; a page on another site (or a DNS-rebinding page)
must not drive the plugin with the visitor's network position. Clients that are not
browsers send no Origin and are not affected.
"""

from urllib.parse import urlsplit

from django.http.request import split_domain_port

from pluginmeta.hosts.mount import mount_path
from pluginmeta.hosts.resolver import plugin_for_hostname

DEFAULT_PORTS = {"http": "80", "https": "443"}


def is_allowed_origin(request) -> bool:
    """True without an Origin, or for an origin on a hostname of this request's plugin."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    try:
        parts = urlsplit(origin)
        origin_port = str(parts.port or DEFAULT_PORTS.get(parts.scheme, ""))
    except ValueError:
        return False
    if parts.scheme != request.scheme or not parts.hostname:
        return False
    domain, port = split_domain_port(request.get_host())
    if origin_port != (port or DEFAULT_PORTS[request.scheme]):
        return False
    # By path (/p/<slug>/mcp) the plugin's pages are on the request's own host.
    if mount_path(request) and parts.hostname == domain.strip("[]").lower():
        return True
    return plugin_for_hostname(parts.hostname) == request.plugin
