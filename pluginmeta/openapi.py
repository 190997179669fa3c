"""Each plugin's OpenAPI document: drf-spectacular's schema of its URL module, its security
schemes, and the schema class the plugin APIs are described with."""

import copy
from functools import lru_cache

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from oauth2_provider.settings import oauth2_settings

from pluginmeta.auth.oauth.paths import AUTHORIZE_PATH, TOKEN_PATH
from pluginmeta.hosts.resolver import urlconf_for_kind
from pluginmeta.models import Plugin

AuthType = Plugin.AuthType

# GPT Actions ask the user to confirm a consequential operation before calling it.
CONSEQUENTIAL = "x-openai-isConsequential"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class PluginAutoSchema(AutoSchema):
    """Documents a DELETE body when the view declares one, as the seed's deleteTodo has, and
    marks every operation consequential or not: reads are not, writes are, unless the view
    says otherwise with extend_schema(extensions={CONSEQUENTIAL: ...}) (a search sent by POST)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            operation.setdefault(CONSEQUENTIAL, self.method not in SAFE_METHODS)
        return operation

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # spectacular documents bodies only for PUT/PATCH/POST; present this DELETE as one.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


def openapi_security(plugin: Plugin, base_url: str = "") -> tuple[dict, list]:
    """securitySchemes and the security requirement for this plugin's generated spec."""
    if plugin.auth_type in {AuthType.SERVICE_HTTP, AuthType.USER_HTTP}:
        return {"bearerAuth": {"type": "http", "scheme": "bearer"}}, [{"bearerAuth": []}]
    if plugin.auth_type == AuthType.OAUTH:
        return _oauth_security(plugin, base_url)
    return {}, []


def _oauth_security(plugin: Plugin, base_url: str) -> tuple[dict, list]:
    scopes = plugin.oauth_scope.split()
    flow = {
        "authorizationUrl": f"{base_url}{AUTHORIZE_PATH}",
        "tokenUrl": f"{base_url}{TOKEN_PATH}",
        "refreshUrl": f"{base_url}{TOKEN_PATH}",
        "scopes": {scope: oauth2_settings.SCOPES.get(scope, scope) for scope in scopes},
    }
    scheme = {"type": "oauth2", "flows": {"authorizationCode": flow}}
    return {"oauth2": scheme}, [{"oauth2": scopes}]


@lru_cache(maxsize=16)
def base_schema(urlconf: str) -> dict:
    # The operations depend only on the code, so each kind is generated once per process.
    generator = SchemaGenerator(urlconf=urlconf)
    return generator.get_schema(request=None, public=True)


def build_plugin_schema(plugin: Plugin, base_url: str) -> dict:
    """The spec for one plugin: its operations, its base URL as server (the origin, and the
    mount path when reached by path), its auth as security."""
    schema = copy.deepcopy(base_schema(urlconf_for_kind(plugin.kind)))
    schema["info"] = {
        "title": plugin.name_for_human,
        "description": plugin.description_for_model,
        "version": "v1",
    }
    schema["servers"] = [{"url": base_url}]
    schemes, requirement = openapi_security(plugin, base_url)
    if schemes:
        schema.setdefault("components", {})["securitySchemes"] = schemes
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation["security"] = requirement
    return schema
