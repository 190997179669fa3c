"""/docs, /redoc and /openapi.yaml in headless Chromium: they render, from this server only."""

import shutil
from urllib.parse import urlsplit

import pytest

from tests.conftest import SPORTS_HOST, USER_HOST
from tests.pluginmeta.conftest import CHROMIUM

pytestmark = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def origin_of(live_server, host: str) -> str:
    return f"http://{host}:{urlsplit(live_server.url).port}"


def record_requests(page) -> list[str]:
    """Every URL the page asked the network for, with why it failed if it did.

    This machine has no internet, so a CDN request would fail here anyway: the test checks
    that the page's own policy stopped it, as it would on a connected machine.
    """
    urls: list[str] = []

    def failed(request) -> None:
        urls.remove(request.url)
        urls.append(f"{request.url} ({request.failure})")

    page.on("request", lambda request: urls.append(request.url))
    page.on("requestfailed", failed)
    return urls


def off_server(requested: list[str], origin: str) -> list[str]:
    """Requests to anywhere but this server, except those the page's own URLs (blob:)."""
    return [url for url in requested if not url.startswith((origin + "/", "blob:", "data:"))]


def test_swagger_ui_shows_the_hosts_operations_and_loads_nothing_from_elsewhere(
    live_server, chromium_page
):
    origin = origin_of(live_server, USER_HOST)
    requested = record_requests(chromium_page)
    chromium_page.goto(f"{origin}/docs")
    chromium_page.wait_for_selector(".opblock", timeout=30_000)
    summaries = chromium_page.locator(".opblock-summary-path").all_inner_texts()
    assert [text.replace("\u200b", "") for text in summaries] == ["/todos/{username}"] * 3
    assert chromium_page.locator("button.authorize").count() == 1
    chromium_page.wait_for_load_state("networkidle")
    assert f"{origin}/openapi.json" in requested
    assert off_server(requested, origin) == []


def test_redoc_shows_the_hosts_operations_and_loads_nothing_from_elsewhere(
    live_server, chromium_page
):
    origin = origin_of(live_server, SPORTS_HOST)
    requested = record_requests(chromium_page)
    chromium_page.goto(f"{origin}/redoc")
    chromium_page.wait_for_selector(".api-content", timeout=30_000)
    chromium_page.wait_for_load_state("networkidle")
    assert "/season_averages" in chromium_page.inner_text("body")
    assert f"{origin}/openapi.json" in requested
    # The sidebar's vendor logo: asked for, and refused by the page's policy before it left.
    assert off_server(requested, origin) == ["https://cdn.redoc.ly/redoc/logo-mini.svg (csp)"]


def test_the_yaml_spec_is_displayed_not_downloaded(live_server, chromium_page):
    origin = origin_of(live_server, SPORTS_HOST)
    response = chromium_page.goto(f"{origin}/openapi.yaml")
    assert response.status == 200
    assert chromium_page.inner_text("body").startswith("openapi: 3.")
