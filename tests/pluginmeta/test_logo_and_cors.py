"""The logo endpoint and CORS for ChatGPT's origins."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pluginmeta.views import DEFAULT_LOGO
from tests.conftest import HostClient
from tests.helpers.images import png_bytes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "sports.localhost"])
def test_default_logo_is_the_shipped_png(host):
    response = HostClient(host).get("/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    body = b"".join(response.streaming_content)
    assert body.startswith(PNG_MAGIC)
    assert body == DEFAULT_LOGO.read_bytes()


@pytest.mark.django_db
def test_uploaded_logo_overrides_the_default_for_its_plugin_only(settings, tmp_path, noauth_plugin):
    settings.MEDIA_ROOT = tmp_path
    uploaded = png_bytes("red")
    noauth_plugin.logo = SimpleUploadedFile("mine.png", uploaded, content_type="image/png")
    noauth_plugin.save()
    response = HostClient("localhost").get("/logo.png")
    assert b"".join(response.streaming_content) == uploaded
    other = HostClient("sports.localhost").get("/logo.png")
    assert b"".join(other.streaming_content) == DEFAULT_LOGO.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://chat.openai.com", "https://chatgpt.com"])
def test_cors_preflight_allows_chatgpt(origin):
    response = HostClient("localhost").options(
        "/todos/alice",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, authorization",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "authorization" in response["Access-Control-Allow-Headers"]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["https://evil.example", "http://chat.openai.com", "null"])
def test_cors_preflight_refuses_other_origins(origin):
    response = HostClient("localhost").options(
        "/todos/alice", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_cors_allowed_origins_are_configurable(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://my.example"]
    client = HostClient("localhost")
    allowed = client.get("/todos/alice", HTTP_ORIGIN="https://my.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://my.example"
    refused = client.get("/todos/alice", HTTP_ORIGIN="https://chatgpt.com")
    assert "Access-Control-Allow-Origin" not in refused
