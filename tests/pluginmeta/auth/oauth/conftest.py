"""Fixtures of the OAuth tests that count secret hashes and make self-registered clients."""

import pytest
from oauth2_provider.models import get_application_model

from pluginmeta.auth.oauth.registration import register_public_client
from tests.pluginmeta.auth.oauth.hashing import CountingHasher
from tests.pluginmeta.conftest import CHATGPT_REDIRECT


@pytest.fixture
def counting_hasher(settings) -> type[CountingHasher]:
    """Client secrets and passwords hashed from here on are counted in CountingHasher.hashes."""
    settings.PASSWORD_HASHERS = [f"{CountingHasher.__module__}.{CountingHasher.__name__}"]
    CountingHasher.hashes = 0
    return CountingHasher


@pytest.fixture
def self_registered(oauth_plugin):
    """Factory: a public client registered as /oauth/register registers one."""

    def make(name: str = "MCP client", redirect_uris: list[str] | None = None):
        return register_public_client(oauth_plugin, name, redirect_uris or [CHATGPT_REDIRECT])

    return make


@pytest.fixture
def application_model():
    return get_application_model()
