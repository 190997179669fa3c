"""End to end in headless Chromium: sign in, approve, land on ChatGPT's callback with a code."""

import shutil
import tempfile

import pytest

from tests.pluginmeta.conftest import CHATGPT_REDIRECT, PASSWORD, query_of

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

pytestmark = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
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


def test_sign_in_approve_and_land_on_callback(oauth_origin, chatgpt, alice_user, chromium_page):
    # chromium_page comes last: Playwright's event loop must not be running while the other
    # fixtures write to the database (Django refuses ORM calls inside an event loop).
    page = chromium_page
    landed: list[str] = []

    def chatgpt_callback(route) -> None:
        # Stands in for chat.openai.com: the browser must never leave the machine.
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>callback reached</p>")

    page.route("https://chat.openai.com/**", chatgpt_callback)
    authorize = (
        f"{oauth_origin}/oauth?response_type=code&client_id={chatgpt.client_id}"
        f"&redirect_uri={CHATGPT_REDIRECT}&scope=todos&state=browser-state"
    )
    page.goto(authorize)
    assert "/oauth/login" in page.url
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(f"{oauth_origin}/oauth?"))
    assert "TODO List (OAuth)" in page.content()
    page.click("button[name=allow]")
    page.wait_for_url(lambda url: url.startswith(f"{CHATGPT_REDIRECT}?"))

    assert landed and landed[0].startswith(CHATGPT_REDIRECT + "?")
    params = query_of(page.url)
    assert params["state"] == "browser-state"
    assert len(params["code"]) >= 20
    assert "callback reached" in page.content()
