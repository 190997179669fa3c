"""JSON error responses, in the one shape every endpoint uses: {"error": code, "detail": text}."""

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse


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


# One message for a lost database, whether DRF or the middleware answers.
DATABASE_UNAVAILABLE = "The database is unreachable; try again shortly."


def database_unavailable() -> JsonResponse:
    response = json_error(503, "service_unavailable", DATABASE_UNAVAILABLE)
    response["Retry-After"] = "5"
    return response


def is_database_outage(exc: BaseException) -> bool:
    """A lost, refused or locked database connection: temporary, so 503 rather than 500."""
    return isinstance(exc, OperationalError | InterfaceError)
