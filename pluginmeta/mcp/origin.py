"""Origin validation for /mcp (MCP transport spec): only pages of the plugin's own hosts call it.

Browsers send Origin on cross-site requests; a page on another site (or a DNS-rebinding page)
must not drive the plugin with the visitor's network position. Clients that are not
browsers send no Origin and are not affected.
"""

from urllib.parse import urlsplit

from django.http.request import split_domain_port

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
    _domain, port = split_domain_port(request.get_host())
    if origin_port != (port or DEFAULT_PORTS[request.scheme]):
        return False
    return plugin_for_hostname(parts.hostname) == request.plugin
