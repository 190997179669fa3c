"""Builds each plugin's OpenAPI document from its URL module with drf-spectacular."""

import copy
from functools import lru_cache

from drf_spectacular.generators import SchemaGenerator

from pluginmeta.auth import openapi_security
from pluginmeta.hosts import urlconf_for_kind
from pluginmeta.models import Plugin


@lru_cache(maxsize=16)
def _base_schema(urlconf: str) -> dict:
    # The operations depend only on the code, so each kind is generated once per process.
    generator = SchemaGenerator(urlconf=urlconf)
    return generator.get_schema(request=None, public=True)


def build_plugin_schema(plugin: Plugin, origin: str) -> dict:
    """The spec for one plugin: its operations, its origin as server, its auth as security."""
    schema = copy.deepcopy(_base_schema(urlconf_for_kind(plugin.kind)))
    schema["info"] = {
        "title": plugin.name_for_human,
        "description": plugin.description_for_model,
        "version": "v1",
    }
    schema["servers"] = [{"url": origin}]
    schemes, requirement = openapi_security(plugin, origin)
    if schemes:
        schema.setdefault("components", {})["securitySchemes"] = schemes
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation["security"] = requirement
    return schema
