"""A short path past DRF's dispatch for the hottest plugin API calls on no-auth hosts.

DRF's dispatch (Request and Response objects, authentication, permission and throttle
classes instantiated per request, negotiation, template-response rendering) costs more than
the whole of a plain Django view (docs/performance.md, "The short path past DRF"). On a
no-auth host, a request whose input is plainly valid needs none of it: the short path counts
the throttle, calls the app's handler and renders with DRF's own JSON renderer, so the bytes
and headers are the same.

Anything else takes the full DRF view: other auth types, other methods, a throttled
request, and any input the handler does not accept as it is. There DRF and the serializers
produce the error, so every error keeps coming from one place.

The contract of a handler: it may raise TakeFullPath or an APIException only before it writes
anything, because the full view then runs the whole request again; after its write it must
return. tests/pluginmeta/api/test_fastpath.py holds the TODO handlers to it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer

from pluginmeta.api.jsonbody import strict_loads
from pluginmeta.api.throttling import VERDICT_ATTRIBUTE, count_request
from pluginmeta.http import client_address
from pluginmeta.models import Plugin

# A handler returns (status, data) for a request it answers in full, or raises.
FastHandler = Callable[..., tuple[int, Any]]

_renderer = JSONRenderer()
_NO_AUTH = Plugin.AuthType.NONE.value


class JSONText(str):
    """A body already written as JSON (by the database, say): sent as it is, not encoded again."""


class TakeFullPath(Exception):
    """Raised by a short-path handler for input it leaves to DRF (which explains the error)."""


def json_object_body(request: HttpRequest) -> dict:
    """The body as a JSON object, or TakeFullPath for anything DRF's parser would refuse."""
    if request.content_type != "application/json":
        raise TakeFullPath
    try:
        data = strict_loads(request.body)
    except (RequestDataTooBig, ValueError):
        raise TakeFullPath from None
    if not isinstance(data, dict):
        raise TakeFullPath
    return data


_enabled = settings.PLUGIN_SERVER["FAST_PATH"]


@receiver(setting_changed)
def _reload(setting: str, **kwargs) -> None:
    global _enabled
    if setting == "PLUGIN_SERVER":
        _enabled = settings.PLUGIN_SERVER["FAST_PATH"]


def with_fast_path(view: Callable, **handlers: FastHandler) -> Callable:
    """Wraps a DRF view so the methods in handlers (get=..., post=...) may skip DRF's dispatch.

    The wrapper keeps the view's attributes (cls, actions, csrf_exempt), so URL
    introspection and the generated spec see the DRF view unchanged.
    """
    handlers = {method.upper(): handler for method, handler in handlers.items()}
    allow = ", ".join(_allowed_methods(view))

    @wraps(view)
    def dispatch(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        handler = handlers.get(request.method)
        plugin = getattr(request, "plugin", None)
        if handler is None or plugin is None or plugin.auth_type != _NO_AUTH or not _enabled:
            return view(request, *args, **kwargs)
        # A request counted already (a tool call, on /mcp) is not counted again.
        verdict = getattr(request, VERDICT_ATTRIBUTE, None)
        if verdict is None:
            verdict = count_request(request, client_address(request))
        allowed, _window_end = verdict
        if not allowed:
            return view(request, *args, **kwargs)  # DRF reads the same verdict and answers 429
        try:
            status, data = handler(request, *args, **kwargs)
        except (TakeFullPath, APIException):
            return view(request, *args, **kwargs)
        if isinstance(data, JSONText):
            # What DRF's renderer does last: these two are valid JSON but not valid JavaScript.
            content = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
        else:
            content = _renderer.render(data)
        response = HttpResponse(content, status=status, content_type="application/json")
        response["Allow"] = allow
        return response

    return dispatch


def _allowed_methods(view: Callable) -> list[str]:
    """The Allow header DRF sends for this viewset view."""
    instance = view.cls(**view.initkwargs)
    actions = dict(view.actions)
    if "get" in actions:
        actions.setdefault("head", actions["get"])
    for method, action in actions.items():
        setattr(instance, method, getattr(instance, action))
    return instance.allowed_methods
