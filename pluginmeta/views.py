"""Views every plugin host serves: manifest, OpenAPI spec, logo and a landing page."""

from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer

from pluginmeta.api.errors import safe_methods_only
from pluginmeta.hosts.mount import plugin_base_url
from pluginmeta.manifest import build_manifest
from pluginmeta.openapi import build_plugin_schema

DEFAULT_LOGO = Path(__file__).resolve().parent / "static" / "pluginmeta" / "logo.png"


@safe_methods_only
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(build_manifest(request.plugin, plugin_base_url(request)))


@safe_methods_only
def openapi_yaml(request: HttpRequest) -> HttpResponse:
    schema = build_plugin_schema(request.plugin, plugin_base_url(request))
    body = OpenApiYamlRenderer().render(schema)
    # Browsers download application/yaml; as text they show it, and clients parse it the same.
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="openapi.yaml"'
    return response


@safe_methods_only
def openapi_json(request: HttpRequest) -> HttpResponse:
    schema = build_plugin_schema(request.plugin, plugin_base_url(request))
    body = OpenApiJsonRenderer().render(schema)
    return HttpResponse(body, content_type="application/json")


@safe_methods_only
@cache_control(public=True, max_age=3600)
def logo(request: HttpRequest) -> FileResponse:
    plugin = request.plugin
    if plugin.logo and plugin.logo.storage.exists(plugin.logo.name):
        return FileResponse(plugin.logo.open("rb"), content_type="image/png")
    return FileResponse(DEFAULT_LOGO.open("rb"), content_type="image/png")


@safe_methods_only
def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pluginmeta/landing.html",
        {"plugin": request.plugin, "base_url": plugin_base_url(request)},
    )
