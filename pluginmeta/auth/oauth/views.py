"""The authorization server's endpoints and pages, served only on oauth plugin hosts.

By path (pluginmeta/hosts/mount.py) the plugin's issuer is <origin>/p/<slug>: every URL
below is written from plugin_base_url() or reversed, so it keeps that path.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from pluginmeta.api.errors import json_error, safe_methods_only
from pluginmeta.auth.login_limits import SIGN_UP, take_attempt, too_many_attempts
from pluginmeta.auth.oauth.backend import TOKEN_PARAMS_ATTR
from pluginmeta.auth.oauth.body import TokenRequestError, parse_token_request
from pluginmeta.auth.oauth.cimd import is_metadata_client
from pluginmeta.auth.oauth.forms import SignUpForm
from pluginmeta.auth.oauth.paths import AUTHORIZE_PATH, REGISTER_PATH, TOKEN_PATH
from pluginmeta.auth.oauth.services import client_plugin
from pluginmeta.hosts.mount import plugin_base_url, serves_resource
from pluginmeta.models import Plugin


def oauth_host_only(view: Callable) -> Callable:
    """Answers 404 JSON on hosts whose plugin does not use OAuth."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        plugin = getattr(request, "plugin", None)
        if plugin is None or plugin.auth_type != Plugin.AuthType.OAUTH:
            return json_error(404, "not_found", "Nothing is served at this path.")
        return view(request, *args, **kwargs)

    return wrapper


def human_page(view: Callable) -> Callable:
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


# What a person is told when the request cannot even name where to send them back.
FATAL_PROBLEMS: dict[type, str] = {
    oauth_errors.MissingClientIdError: "The link names no application (client_id is missing).",
    oauth_errors.InvalidClientIdError: (
        "The application asking for access is not registered on this site (unknown client_id)."
    ),
    oauth_errors.MissingRedirectURIError: (
        "The link does not say where to return to (redirect_uri is missing)."
    ),
    oauth_errors.InvalidRedirectURIError: "The return address (redirect_uri) is not a valid URL.",
    oauth_errors.MismatchingRedirectURIError: (
        "The return address (redirect_uri) is not one this application registered."
    ),
}


def foreign_resources(request: HttpRequest, resources: list[str]) -> list[str]:
    """The RFC 8707 resources among these that are not this plugin's: on another origin, or
    outside the path it is reached by (/p/<slug>/), or under another plugin's path."""
    here = plugin_base_url(request)
    return [resource for resource in resources if not serves_resource(here, resource)]


def with_issuer(uri: str, issuer: str) -> str:
    """uri with its RFC 9207 iss parameter (one, the last) set to issuer."""
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "iss"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("iss", issuer)])))


def has_nul(query) -> bool:
    return any("\x00" in name or "\x00" in "".join(values) for name, values in query.lists())


class PluginPageMixin:
    """Gives the page template the plugin whose name and look it shows."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plugin"] = self.request.plugin
        return context


class AuthorizeView(PluginPageMixin, dot_views.AuthorizationView):
    """Asks the signed-in user to approve this plugin's client; answers the client with a code."""

    template_name = "oauth/consent.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if has_nul(request.GET):
            return self.error_page("invalid_request", "The link contains a NUL character.")
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self) -> HttpResponse:
        # Check the client and its redirect URI before asking anyone to sign in: a broken or
        # forged link gets its error page now, not after the person typed a password.
        if self.request.method == "GET":
            try:
                self.validate_authorization_request(self.request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
        return super().handle_no_permission()

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The client must not decide whether the user is asked: approval_prompt=auto would
        # issue a code on a plain GET. The server's REQUEST_APPROVAL_PROMPT ("force") rules.
        query = request.GET.copy()
        query["approval_prompt"] = oauth2_settings.REQUEST_APPROVAL_PROMPT
        request.GET = query
        foreign = foreign_resources(request, query.getlist("resource"))
        if foreign:
            # RFC 8707: this server issues tokens for its own resources only.
            return self.error_page(
                "invalid_target", f"The resource {foreign[0]!r} is not served by this plugin."
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scopes_descriptions"] = scope_descriptions(kwargs.get("scopes") or [])
        # Where the code goes is what a person can check: a look-alike name cannot fake it.
        context["redirect_host"] = urlsplit(kwargs.get("redirect_uri") or "").netloc
        application = kwargs.get("application")
        context["self_registered"] = application is not None and (
            application.registration_source != application.RegistrationSource.MANUAL
        )
        return context

    def error_page(self, error: str, description: str, status: int = 400) -> HttpResponse:
        context = {
            "plugin": self.request.plugin,
            "error": {"error": error, "description": description},
        }
        return render(self.request, self.template_name, context, status=status)

    def error_response(self, error, application, **kwargs) -> HttpResponse:
        # Errors that cannot be sent back to a registered redirect URI are shown here.
        if isinstance(error, FatalClientError):
            problem = error.oauthlib_error
            description = FATAL_PROBLEMS.get(type(problem)) or problem.description
            return self.error_page(problem.error, description, problem.status_code)
        return super().error_response(error, application, **kwargs)

    def invalid_request(self) -> HttpResponse:
        return self.error_page("invalid_request", "This authorization request is not valid.")

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
            or not (
                client_plugin(application) == self.request.plugin or is_metadata_client(application)
            )
            or redirect_uri not in application.redirect_uris.split()
        ):
            return self.invalid_request()
        return super().form_valid(form)

    def create_authorization_response(self, request, scopes, credentials, allow):
        uri, headers, body, status = super().create_authorization_response(
            request, scopes, credentials, allow
        )
        # django-oauth-toolkit's iss is the origin; the issuer is the plugin's base URL (the
        # origin, and /p/<slug> by path), as the metadata says and clients compare (RFC 9207).
        if uri is not None and oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
            uri = with_issuer(uri, plugin_base_url(request))
            headers["Location"] = uri
        return uri, headers, body, status


authorize = oauth_host_only(human_page(AuthorizeView.as_view()))


def of_this_plugin(tokens, request: HttpRequest):
    # A metadata document's client serves every plugin: its tokens are this one's by resource.
    documented = [
        token.pk
        for token in tokens.filter(
            application__registration_source=get_application_model().RegistrationSource.CIMD
        )
        if token.resource and not foreign_resources(request, token.resource)
    ]
    return tokens.filter(Q(application__plugin_link__plugin=request.plugin) | Q(pk__in=documented))


class AuthorizedAppsView(PluginPageMixin, dot_views.AuthorizedTokensListView):
    """The apps the signed-in user authorised on this plugin, each with a link to revoke it."""

    template_name = "oauth/authorized.html"

    def get_queryset(self):
        return of_this_plugin(super().get_queryset(), self.request).order_by("-created")


class RevokeAppView(PluginPageMixin, dot_views.AuthorizedTokenDeleteView):
    """Asks to confirm, then revokes the access token and its refresh token."""

    template_name = "oauth/revoke.html"
    success_url = reverse_lazy("oauth-authorized")

    def get_queryset(self):
        return of_this_plugin(super().get_queryset(), self.request).select_related("application")


authorized_apps = oauth_host_only(human_page(AuthorizedAppsView.as_view()))
revoke_app = oauth_host_only(human_page(RevokeAppView.as_view()))


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
            response = self.authorization_flow_token_response(request)
        except ValueError as exc:  # oauthlib refuses some malformed values by raising
            return oauth_error(400, "invalid_request", str(exc) or "Malformed token request.")
        # Errors raised while the token is saved come back without oauthlib's default headers.
        response["Content-Type"] = "application/json"
        response.setdefault("Cache-Control", "no-store")
        return response


token = oauth_host_only(TokenView.as_view())


class PluginLoginView(PluginPageMixin, LoginView):
    """Sign-in page of an oauth plugin host."""

    template_name = "oauth/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signup_enabled"] = settings.OAUTH_SIGNUP_ENABLED
        return context

    def get_default_redirect_url(self) -> str:
        return reverse("landing")


login_page = oauth_host_only(human_page(PluginLoginView.as_view()))


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("landing")


@oauth_host_only
@human_page
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Creates an account and signs it in, then continues where sign-in would have."""
    if not settings.OAUTH_SIGNUP_ENABLED:
        return json_error(404, "not_found", "Sign-up is turned off on this server.")
    if request.method == "POST":
        # Counted before the form runs: a valid one ends in a password hash and a new account.
        wait = take_attempt(request, SIGN_UP, settings.SIGNUP_ADDRESS_RATE)
        if wait is not None:
            return too_many_attempts(request, wait, SIGN_UP)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SignUpForm(request.POST if request.method == "POST" else None)
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
@human_page
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm, POST signs out (a link must not be able to sign anyone out)."""
    if request.method == "POST":
        auth_logout(request)
        return render(request, "oauth/logged_out.html", {"plugin": request.plugin})
    return render(request, "oauth/logout.html", {"plugin": request.plugin})


# What the callback page shows of its query: OAuth values are short printable ASCII
# (RFC 6749 appendix A); anything else is left out rather than shown.
SHOWN_VALUE_MAX_LENGTH = 512


def shown_value(value: str | None) -> str | None:
    if not value or len(value) > SHOWN_VALUE_MAX_LENGTH:
        return None
    if not all(" " <= ch <= "~" for ch in value):
        return None
    return value


@oauth_host_only
@never_cache
@safe_methods_only
def callback(request: HttpRequest) -> HttpResponse:
    """The code (or the error) an authorization sent back, shown to copy into a token request.

    It redirects nowhere and loads nothing; the values are escaped by the template, and the
    error's free-text description is not shown at all, so a forged link can put no words of
    its own on this host's page.
    """
    error = shown_value(request.GET.get("error"))
    context = {
        "plugin": request.plugin,
        "code": shown_value(request.GET.get("code")),
        "state": shown_value(request.GET.get("state")),
        "error": error if error and error.replace("_", "").isalpha() else None,
        "token_url": f"{plugin_base_url(request)}{TOKEN_PATH}",
    }
    response = render(request, "oauth/callback.html", context)
    # Stricter than page(): the page needs no script, image or form, and links nowhere.
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    response["X-Frame-Options"] = "DENY"
    response["Referrer-Policy"] = "no-referrer"
    return response


@oauth_host_only
@safe_methods_only
def server_metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414 authorization server metadata for this plugin, at its base URL (the issuer)."""
    origin = plugin_base_url(request)
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
            # Clients may send the https URL of their metadata document as client_id.
            "client_id_metadata_document_supported": bool(oauth2_settings.CIMD_ENABLED),
            "service_documentation": f"{origin}/",
        }
    )
