"""Django's session, sign-in and messages middleware: run for the admin and OAuth pages only."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import URLResolver, get_resolver

from pluginmeta.auth.oauth.paths import AUTHORIZE_PATH, AUTHORIZED_APPS_PATH, CALLBACK_PATH
from pluginmeta.hosts.resolver import urlconf_for_kind
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, USER_HOST, HostClient


def routes(patterns, prefix: str = "/"):
    """(route, view) of every URL pattern, includes followed."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route, pattern.callback


@pytest.mark.parametrize("kind", sorted(settings.PLUGIN_SERVER["KINDS"]))
def test_every_view_outside_the_pages_relies_on_no_cookie(kind):
    # A view outside the prefixes gets no session, user or messages; only a CSRF-exempt view
    # can do without them, so any other one must move under a page prefix.
    every = list(routes(get_resolver(urlconf_for_kind(kind)).url_patterns))
    page_prefixes = settings.PLUGIN_SERVER["PAGE_PATH_PREFIXES"]
    outside = [(route, view) for route, view in every if not route.startswith(page_prefixes)]
    assert {"/.well-known/ai-plugin.json", "/mcp"} <= {route for route, _view in outside}
    assert any(route.startswith("/admin/") for route, _view in every)
    needs_cookies = [route for route, view in outside if not getattr(view, "csrf_exempt", False)]
    assert needs_cookies == []


@pytest.fixture
def staff_client(db) -> HostClient:
    client = HostClient(USER_HOST)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "unused"))
    return client


@pytest.mark.django_db
def test_the_admin_still_has_its_session_user_and_messages(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert response.wsgi_request.user.username == "root"
    response = staff_client.post(
        "/admin/auth/user/add/",
        {"username": "bob", "password1": "x-Secret-long-9", "password2": "x-Secret-long-9"},
        follow=True,
    )
    assert User.objects.filter(username="bob").exists()
    assert "was added successfully" in response.content.decode()


@pytest.mark.django_db
def test_an_api_call_with_an_admin_session_cookie_is_still_anonymous(staff_client):
    # The API authenticates by header only; a signed-in browser session is not a credential.
    response = staff_client.get("/todos/root")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.django_db
def test_an_api_response_sets_no_cookie_and_has_its_length():
    response = HostClient(NOAUTH_HOST).json_call("POST", "/todos/alice", {"todo": "milk"})
    assert response.status_code == 201
    assert not response.cookies
    # CommonMiddleware still runs everywhere: without it granian would send chunked bodies.
    assert response["Content-Length"] == str(len(response.content))


@pytest.mark.django_db
def test_the_admin_sign_in_still_needs_a_csrf_token():
    User.objects.create_superuser("root", "root@example.com", "a long admin password 1")
    web = HostClient(NOAUTH_HOST, enforce_csrf_checks=True)
    page = web.get("/admin/login/")
    assert page.status_code == 200
    assert "csrftoken" in page.cookies
    response = web.post(
        "/admin/login/", {"username": "root", "password": "a long admin password 1"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_oauth_sign_in_page_sets_its_csrf_cookie():
    response = HostClient(OAUTH_HOST).get("/oauth/login")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies


def test_the_oauth_pages_are_under_the_page_prefixes():
    prefixes = settings.PLUGIN_SERVER["PAGE_PATH_PREFIXES"]
    for path in (AUTHORIZE_PATH, AUTHORIZED_APPS_PATH, CALLBACK_PATH, "/admin/"):
        assert path.startswith(prefixes), path
