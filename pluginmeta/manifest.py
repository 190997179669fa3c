"""The plugin manifest (/.well-known/ai-plugin.json) of a plugin, as served at one base URL."""

from pluginmeta.auth.oauth.paths import AUTHORIZE_PATH, TOKEN_PATH
from pluginmeta.models import Plugin

AuthType = Plugin.AuthType


def manifest_auth(plugin: Plugin, base_url: str) -> dict:
    """The manifest's "auth" object, as the plugin manifest spec defines it for each type."""
    if plugin.auth_type == AuthType.SERVICE_HTTP:
        # The token exists only after the key was entered in ChatGPT; until then none is listed.
        tokens = {"openai": plugin.verification_token} if plugin.verification_token else {}
        return {
            "type": "service_http",
            "authorization_type": plugin.authorization_type or "bearer",
            "verification_tokens": tokens,
        }
    if plugin.auth_type == AuthType.USER_HTTP:
        return {"type": "user_http", "authorization_type": plugin.authorization_type or "bearer"}
    if plugin.auth_type == AuthType.OAUTH:
        return {
            "type": "oauth",
            "client_url": f"{base_url}{AUTHORIZE_PATH}",
            "scope": plugin.oauth_scope,
            "authorization_url": f"{base_url}{TOKEN_PATH}",
            "authorization_content_type": "application/json",
            "verification_tokens": {"openai": plugin.verification_token},
        }
    return {"type": "none"}


def build_manifest(plugin: Plugin, base_url: str) -> dict:
    """Every URL in it is absolute, under base_url: the origin the request was sent to, and the
    path the plugin is mounted at when it was reached by path (pluginmeta/hosts/mount.py)."""
    return {
        "schema_version": "v1",
        "name_for_human": plugin.name_for_human,
        "name_for_model": plugin.name_for_model,
        "description_for_human": plugin.description_for_human,
        "description_for_model": plugin.description_for_model,
        "auth": manifest_auth(plugin, base_url),
        "api": {"type": "openapi", "url": f"{base_url}/openapi.yaml"},
        "logo_url": f"{base_url}/logo.png",
        "contact_email": plugin.contact_email,
        "legal_info_url": plugin.legal_info_url,
    }
