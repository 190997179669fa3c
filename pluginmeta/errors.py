"""JSON error responses, in the one shape every endpoint uses: {"error": code, "detail": text}."""

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
