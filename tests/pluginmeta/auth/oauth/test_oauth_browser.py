"""End to end in headless Chromium: sign in, approve, land on ChatGPT's callback with a code."""

from tests.helpers.browser import IN_CHROMIUM
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, PASSWORD, query_of

pytestmark = IN_CHROMIUM


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
