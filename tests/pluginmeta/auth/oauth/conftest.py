"""Fixtures of the OAuth tests that count secret hashes, make self-registered clients and serve
client metadata documents."""

import socket

import pytest
from oauth2_provider.models import get_application_model

from pluginmeta.auth.oauth.registration import register_public_client
from tests.pluginmeta.auth.oauth.document_server import DocumentServer, self_signed_certificate
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


@pytest.fixture
def document_server(settings):
    """A plain-http server on 127.0.0.1 serving client metadata documents; loopback documents
    are allowed while it runs (OAUTH_CIMD_ALLOW_LOOPBACK_HTTP), as in local development."""
    settings.OAUTH_CIMD_ALLOW_LOOPBACK_HTTP = True
    with DocumentServer() as server:
        yield server


@pytest.fixture
def tls_document_server(settings, monkeypatch, tmp_path):
    """An HTTPS document server whose self-signed certificate the server's fetch trusts (as a
    deployment trusts its CA bundle, through SSL_CERT_FILE)."""
    settings.OAUTH_CIMD_ALLOW_LOOPBACK_HTTP = True
    certificate = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with DocumentServer(certificate) as server:
        yield server


@pytest.fixture
def mapped_names(monkeypatch) -> dict[str, list[str]]:
    """Host names mapped in this process: name -> the addresses getaddrinfo answers for it."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port),
            )
            for address in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names
