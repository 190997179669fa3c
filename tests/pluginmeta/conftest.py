"""Fixtures of the pluginmeta tests: key auth and OAuth."""

import base64
import contextlib
import hashlib
import io
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from requests.adapters import HTTPAdapter

from pluginmeta.auth.oauth.services import RegisteredClient, register_client
from pluginmeta.models import Plugin
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, SERVICE_HOST, USER_HOST, HostClient

KEY_PATTERN = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


def command_output(*args) -> tuple[str, str]:
    """Runs a management command; its stdout (the result) and its stderr (the messages)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_command(*args) -> list[str]:
    """Runs a management command and returns its stdout lines."""
    return command_output(*args)[0].splitlines()


def last_line(*args) -> str:
    return run_command(*args)[-1]


def keyed(host: str, key: str, scheme: str = "Bearer") -> HostClient:
    """A client for host that sends "Authorization: <scheme> <key>" on every request."""
    return HostClient(host, HTTP_AUTHORIZATION=f"{scheme} {key}")


@pytest.fixture
def service_plugin(db) -> Plugin:
    return Plugin.objects.get(hosts__hostname=SERVICE_HOST)


@pytest.fixture
def user_plugin(db) -> Plugin:
    """The TODO user-key plugin, as the only user_http plugin.

    The key commands take the only user_http plugin when --host is left out; the demo data
    has a second one (retrieval), which these tests do not need.
    """
    Plugin.objects.filter(auth_type=Plugin.AuthType.USER_HTTP).exclude(
        hosts__hostname=USER_HOST
    ).delete()
    return Plugin.objects.get(hosts__hostname=USER_HOST)


@pytest.fixture
def service_key(service_plugin) -> str:
    return last_line("plugin_service_key", SERVICE_HOST)


@pytest.fixture
def service(service_key) -> HostClient:
    return keyed(SERVICE_HOST, service_key)


@pytest.fixture
def user_key(user_plugin):
    """Factory: user_key("alice") -> a new key for alice on todo-user.localhost."""

    def make(username: str, *extra: str) -> str:
        return last_line("plugin_user_key", username, *extra)

    return make


@pytest.fixture
def alice_key(user_key) -> str:
    return user_key("alice")


@pytest.fixture
def bob_key(user_key) -> str:
    return user_key("bob")


@pytest.fixture
def alice(alice_key) -> HostClient:
    return keyed(USER_HOST, alice_key)


@pytest.fixture
def bob(bob_key) -> HostClient:
    return keyed(USER_HOST, bob_key)


@pytest.fixture
def noauth_client(db) -> HostClient:
    return HostClient(NOAUTH_HOST)


@pytest.fixture
def admin_client_on(db):
    """Factory: a logged-in superuser client on a host."""

    def make(host: str = NOAUTH_HOST) -> HostClient:
        user_model = get_user_model()
        admin = user_model.objects.filter(username="root").first()
        if admin is None:
            admin = user_model.objects.create_superuser("root", "root@example.com", "x" * 20)
        client = HostClient(host)
        client.force_login(admin)
        return client

    return make


# --- OAuth ---

# The redirect URI forms ChatGPT uses: plugins, and GPT Actions.
CHATGPT_REDIRECT = "https://chat.openai.com/aip/plugin-0123abcd/oauth/callback"
GPT_REDIRECT = "https://chatgpt.com/aip/g-0123abcd/oauth/callback"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def oauth_plugin(db) -> Plugin:
    return Plugin.objects.get(slug="todo-oauth")


@pytest.fixture
def chatgpt(oauth_plugin) -> RegisteredClient:
    """A confidential client as an operator registers it for ChatGPT."""
    return register_client(oauth_plugin, [CHATGPT_REDIRECT, GPT_REDIRECT])


@pytest.fixture
def alice_user(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def bob_user(db):
    return get_user_model().objects.create_user("bob", password=PASSWORD)


@pytest.fixture
def oauth_web(db) -> HostClient:
    return HostClient(OAUTH_HOST)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


class _FormFields(HTMLParser):
    """Collects the name/value pairs of every <input> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "input":
            found = dict(attrs)
            if found.get("name"):
                self.fields[found["name"]] = found.get("value") or ""


def form_fields(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class LoopbackAdapter(HTTPAdapter):
    """Sends requests for *.localhost names to 127.0.0.1, keeping the name as the Host header."""

    # Browsers and curl resolve *.localhost themselves; Python's resolver here may not.

    def send(self, request, **kwargs):
        original = request
        parts = urlsplit(request.url)
        if parts.hostname and parts.hostname.endswith(".localhost"):
            request = request.copy()
            request.headers["Host"] = parts.netloc
            request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port or 80}"))
        response = super().send(request, **kwargs)
        response.url = original.url
        response.request = original
        return response


def use_loopback(session: requests.Session) -> requests.Session:
    session.mount("http://", LoopbackAdapter())
    return session


@pytest.fixture
def oauth_origin(live_server) -> str:
    """http://todo-oauth.localhost:<port> of the live server."""
    port = urlsplit(live_server.url).port
    return f"http://{OAUTH_HOST}:{port}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users and client secrets are still hashed, just with a cheap hasher, to keep tests fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Headless Chromium (Debian's package, driven by Playwright) --------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium_page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with (
        tempfile.TemporaryDirectory(prefix="aips-chromium-") as profile,
        sync_api.sync_playwright() as playwright,
    ):
        # A persistent context is how Playwright takes a user-data-dir: a fresh one per test.
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def throttle(settings, rate: str) -> None:
    """Sets the API rate limit (e.g. "3/min") for the rest of the test."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"plugin": rate},
    }


@pytest.fixture
def database_gone(tmp_path) -> Callable:
    """A context in which the default database refuses every new connection, as a dead one does.

    A second connection to it is put in place of this thread's, with its settings pointing at a
    file in a missing folder (SQLite) or at a port nothing listens on (Postgres), so the real
    driver fails to connect. The test's own connection, inside its transaction, is put back.
    """

    @contextlib.contextmanager
    def gone() -> Iterator[None]:
        settings_dict = dict(connection.settings_dict)
        if connection.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
        else:
            settings_dict.update(HOST="127.0.0.1", PORT="1")
        working = connections[DEFAULT_DB_ALIAS]
        unreachable = type(working)(settings_dict, DEFAULT_DB_ALIAS)
        connections[DEFAULT_DB_ALIAS] = unreachable
        try:
            yield
        finally:
            connections[DEFAULT_DB_ALIAS] = working
            unreachable.close()

    return gone
