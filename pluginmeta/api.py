"""REST framework plumbing shared by every plugin API: body parsing and the error shape."""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pluginmeta.errors import DATABASE_UNAVAILABLE, is_database_outage
from pluginmeta.jsonbody import strict_loads


class PayloadTooLarge(exceptions.APIException):
    """The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class ServiceUnavailable(exceptions.APIException):
    """The database cannot be reached."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = DATABASE_UNAVAILABLE
    default_code = "service_unavailable"


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Plugin APIs answer JSON whatever the Accept header says, so skip parsing it."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


class LimitedJSONParser(JSONParser):
    """Strict JSON with a size cap; DRF reads the raw stream and would skip Django's own limit."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return strict_loads(raw)
        except ValueError as exc:
            raise exceptions.ParseError(f"The request body is not valid JSON: {exc}") from None


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        out: list[str] = []
        for key, value in errors.items():
            name = "" if key == "non_field_errors" else str(key)
            out.extend(_flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name))
        return out
    if isinstance(errors, list):
        return [msg for item in errors for msg in _flatten(item, prefix)]
    return [f"{prefix}: {errors}" if prefix else str(errors)]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, reshaped to {"error": code, "detail": text[, "fields": {...}]}."""
    if is_database_outage(exc):
        exc = ServiceUnavailable()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == 503:
        response["Retry-After"] = "5"
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "error": "invalid",
            "detail": "; ".join(_flatten(exc.detail)) or "Invalid input.",
            "fields": fields,
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "error": codes if isinstance(codes, str) else exc.default_code,
            "detail": str(exc.detail),
        }
    else:  # Http404 / PermissionDenied from Django, already converted by DRF
        response.data = {
            "error": "not_found" if response.status_code == 404 else "forbidden",
            "detail": str(response.data.get("detail", "")),
        }
    return response
