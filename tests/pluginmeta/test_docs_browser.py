"""/docs, /redoc and /openapi.yaml in headless Chromium: they render, from this server only."""

import shutil
import tempfile
from urllib.parse import urlsplit

import pytest

from tests.conftest import SPORTS_HOST, USER_HOST
from tests.pluginmeta.test_oauth_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with (
        tempfile.TemporaryDirectory(prefix="aips-chromium-") as profile,
        sync_api.sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield context.new_page()
        finally:
            context.close()


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
    live_server, browser_page
):
    origin = origin_of(live_server, USER_HOST)
    requested = record_requests(browser_page)
    browser_page.goto(f"{origin}/docs")
    browser_page.wait_for_selector(".opblock", timeout=30_000)
    summaries = browser_page.locator(".opblock-summary-path").all_inner_texts()
    assert [text.replace("\u200b", "") for text in summaries] == ["/todos/{username}"] * 3
    assert browser_page.locator("button.authorize").count() == 1
    browser_page.wait_for_load_state("networkidle")
    assert f"{origin}/openapi.json" in requested
    assert off_server(requested, origin) == []


def test_redoc_shows_the_hosts_operations_and_loads_nothing_from_elsewhere(
    live_server, browser_page
):
    origin = origin_of(live_server, SPORTS_HOST)
    requested = record_requests(browser_page)
    browser_page.goto(f"{origin}/redoc")
    browser_page.wait_for_selector(".api-content", timeout=30_000)
    browser_page.wait_for_load_state("networkidle")
    assert "/season_averages" in browser_page.inner_text("body")
    assert f"{origin}/openapi.json" in requested
    # The sidebar's vendor logo: asked for, and refused by the page's policy before it left.
    assert off_server(requested, origin) == ["https://cdn.redoc.ly/redoc/logo-mini.svg (csp)"]


def test_the_yaml_spec_is_displayed_not_downloaded(live_server, browser_page):
    origin = origin_of(live_server, SPORTS_HOST)
    response = browser_page.goto(f"{origin}/openapi.yaml")
    assert response.status == 200
    assert browser_page.inner_text("body").startswith("openapi: 3.")
