"""Fixtures of the OAuth plugin tests: the plugin, a registered ChatGPT client, users, HTTP."""

import base64
import hashlib
import re
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from requests.adapters import HTTPAdapter

from pluginmeta.models import Plugin
from pluginmeta.oauth.clients import RegisteredClient, register_client
from tests.conftest import OAUTH_HOST, HostClient

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
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def bob(db):
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
