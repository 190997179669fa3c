"""JSON error responses, in the one shape every endpoint uses: {"error": code, "detail": text}."""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions, status
from rest_framework.response import Response


def json_error(status: int, code: str, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail, **extra}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(400, "bad_request", "The request could not be understood.")


def error_403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(403, "forbidden", "You do not have permission to do this.")


def error_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(404, "not_found", "Nothing is served at this path.")


def error_500(request: HttpRequest) -> JsonResponse:
    return json_error(500, "server_error", "The server failed to handle this request.")


def method_not_allowed(allowed: Iterable[str]) -> JsonResponse:
    response = json_error(405, "method_not_allowed", "This method is not allowed here.")
    response["Allow"] = ", ".join(allowed)
    return response


def json_method_not_allowed(response: HttpResponse) -> HttpResponse:
    """Django's own 405 (require_http_methods, class-based views) as our JSON, same Allow."""
    if isinstance(response, HttpResponseNotAllowed):
        return method_not_allowed(response["Allow"].split(", "))
    return response


def options_answer(allowed: Iterable[str]) -> HttpResponse:
    """What Django's class-based views and DRF answer to OPTIONS: 200, Allow, no body."""
    response = HttpResponse(headers={"Allow": ", ".join(allowed), "Content-Length": "0"})
    del response["Content-Type"]
    return response


def safe_methods_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD run the view, OPTIONS answers 200 with Allow, anything else a 405 JSON.

    HEAD runs the GET view: the server (granian, runserver, the test client) drops the body
    and keeps the headers. The view is CSRF-exempt because it never acts on an unsafe method;
    otherwise the CSRF check would answer a POST with a 403 before the 405 could.
    """
    allowed = ("GET", "HEAD", "OPTIONS")

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            return options_answer(allowed)
        return method_not_allowed(allowed)

    wrapper.csrf_exempt = True
    return wrapper


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a failed CSRF check: Django's page for browsers, JSON for every other client."""
    if request.get_preferred_type(["application/json", "text/html"]) == "text/html":
        return django_csrf_failure(request, reason)
    detail = "CSRF verification failed: " + (reason or REASON_NO_CSRF_COOKIE) + "."
    return json_error(403, "csrf_failed", detail)


# One message for a lost database, whether DRF or the middleware answers.
DATABASE_UNAVAILABLE = "The database is unreachable; try again shortly."


# The code of the range JSON-RPC leaves to servers (-32000 to -32099), unused by MCP, for a
# request refused because the database cannot be reached.
JSON_RPC_SERVICE_UNAVAILABLE = -32053


def database_unavailable(json_rpc: bool = False) -> HttpResponse:
    """503 with Retry-After: the one error shape, or a JSON-RPC error for an MCP client."""
    if json_rpc:
        error = {"code": JSON_RPC_SERVICE_UNAVAILABLE, "message": DATABASE_UNAVAILABLE}
        response = JsonResponse({"jsonrpc": "2.0", "id": None, "error": error}, status=503)
    else:
        response = json_error(503, "service_unavailable", DATABASE_UNAVAILABLE)
    response["Retry-After"] = "5"
    return response


def is_database_outage(exc: BaseException) -> bool:
    """A lost, refused or locked database connection: temporary, so 503 rather than 500."""
    return isinstance(exc, OperationalError | InterfaceError)


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
    # Imported here: rest_framework.views reads the parser setting, which names this package.
    from rest_framework.views import exception_handler as drf_exception_handler

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
