"""The authorization server's endpoints and pages, served only on oauth plugin hosts."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider import views as dot_views
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from pluginmeta.errors import json_error
from pluginmeta.models import Plugin
from pluginmeta.oauth.backend import TOKEN_PARAMS_ATTR
from pluginmeta.oauth.body import TokenRequestError, parse_token_request
from pluginmeta.oauth.clients import client_plugin
from pluginmeta.views import request_origin

AUTHORIZE_PATH = "/oauth"
TOKEN_PATH = "/auth/oauth_exchange"  # noqa: S105 - a path
REGISTER_PATH = "/oauth/register"


def oauth_host_only(view: Callable) -> Callable:
    """Answers 404 JSON on hosts whose plugin does not use OAuth."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        plugin = getattr(request, "plugin", None)
        if plugin is None or plugin.auth_type != Plugin.AuthType.OAUTH:
            return json_error(404, "not_found", "Nothing is served at this path.")
        return view(request, *args, **kwargs)

    return wrapper


def page(view: Callable) -> Callable:
    """A human page: never cached, never framed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = never_cache(view)(request, *args, **kwargs)
        # Set here as well as by the middleware, so a site-wide X_FRAME_OPTIONS change cannot
        # make the consent page clickjackable.
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        # Not "no-referrer": browsers then send "Origin: null" and Django's CSRF check refuses
        # the page's own forms. Same-origin keeps the query (client_id, state) off other sites.
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def scope_descriptions(scopes: list[str]) -> list[str]:
    known = oauth2_settings.SCOPES
    return [known.get(scope, scope) for scope in scopes]


class AuthorizeView(dot_views.AuthorizationView):
    """Asks the signed-in user to approve this plugin's client; answers the client with a code."""

    template_name = "oauth/consent.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plugin"] = self.request.plugin
        context["scopes_descriptions"] = scope_descriptions(kwargs.get("scopes") or [])
        return context

    def invalid_request(self) -> HttpResponse:
        context = {
            "plugin": self.request.plugin,
            "error": {
                "error": "invalid_request",
                "description": "This authorization request is not valid.",
            },
        }
        return render(self.request, self.template_name, context, status=400)

    def form_invalid(self, form) -> HttpResponse:
        return self.invalid_request()

    def form_valid(self, form):
        # The hidden fields come back from the browser: before Django-OAuth-Toolkit redirects
        # anywhere (even to deny), make sure the client is this plugin's and the redirect URI is
        # one it registered, so a forged form can never produce an open redirect.
        client_id = form.cleaned_data["client_id"]
        redirect_uri = form.cleaned_data["redirect_uri"]
        application = get_application_model().objects.filter(client_id=client_id).first()
        if (
            application is None
            or client_plugin(application) != self.request.plugin
            or redirect_uri not in application.redirect_uris.split()
        ):
            return self.invalid_request()
        return super().form_valid(form)


authorize = oauth_host_only(page(AuthorizeView.as_view()))


def oauth_error(status: int, error: str, description: str) -> JsonResponse:
    """An error in RFC 6749 section 5.2's shape, which OAuth clients parse."""
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(dot_views.TokenView):
    """The token endpoint: JSON or form bodies, client credentials in the body or HTTP Basic."""

    http_method_names = ["post", "options"]

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = oauth_error(405, "invalid_request", "The token endpoint takes POST only.")
        response["Allow"] = "POST, OPTIONS"
        return response

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            params = parse_token_request(request.content_type or "", request.body)
        except RequestDataTooBig:
            return oauth_error(400, "invalid_request", "The request body is too large.")
        except TokenRequestError as exc:
            return oauth_error(400, "invalid_request", str(exc))
        setattr(request, TOKEN_PARAMS_ATTR, params)
        try:
            return self.authorization_flow_token_response(request)
        except ValueError as exc:  # oauthlib refuses some malformed values by raising
            return oauth_error(400, "invalid_request", str(exc) or "Malformed token request.")


token = oauth_host_only(TokenView.as_view())


class PluginLoginView(LoginView):
    """Sign-in page of an oauth plugin host."""

    template_name = "oauth/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plugin"] = self.request.plugin
        context["signup_enabled"] = settings.OAUTH_SIGNUP_ENABLED
        return context

    def get_default_redirect_url(self) -> str:
        return "/"


login_page = oauth_host_only(page(PluginLoginView.as_view()))


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@oauth_host_only
@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Creates an account and signs it in, then continues where sign-in would have."""
    if not settings.OAUTH_SIGNUP_ENABLED:
        return json_error(404, "not_found", "Sign-up is turned off on this server.")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = UserCreationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "oauth/signup.html",
        {"form": form, "next": next_url, "plugin": request.plugin},
        status=400 if form.is_bound else 200,
    )


@oauth_host_only
@page
@csrf_protect
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm, POST signs out (a link must not be able to sign anyone out)."""
    if request.method == "POST":
        auth_logout(request)
        return render(request, "oauth/logged_out.html", {"plugin": request.plugin})
    return render(request, "oauth/logout.html", {"plugin": request.plugin})


@oauth_host_only
@require_GET
def server_metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414 authorization server metadata for this host."""
    origin = request_origin(request)
    plugin = request.plugin
    return JsonResponse(
        {
            "issuer": origin,
            "authorization_endpoint": f"{origin}{AUTHORIZE_PATH}",
            "token_endpoint": f"{origin}{TOKEN_PATH}",
            "scopes_supported": plugin.oauth_scope.split(),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            # "none": the public clients MCP clients register at the registration endpoint.
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "client_secret_basic",
                "none",
            ],
            "registration_endpoint": f"{origin}{REGISTER_PATH}",
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "service_documentation": f"{origin}/",
        }
    )
