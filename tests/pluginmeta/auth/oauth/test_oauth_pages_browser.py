"""In headless Chromium: sign in (after one wrong password), approve, use the token, find the app
among the authorised apps, revoke it; screenshots of each page are taken and checked."""

import json
from pathlib import Path

import requests
from PIL import Image

from tests.helpers.browser import IN_CHROMIUM
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, PASSWORD, query_of, use_loopback

# chromium_page comes from conftest.
pytestmark = IN_CHROMIUM

APP_NAME = "ChatGPT (todo-oauth)"


def screenshot(page, path: Path) -> Image.Image:
    """Saves the page as PNG and returns it, after checking it shows more than a blank page."""
    page.screenshot(path=path, full_page=True)
    image = Image.open(path).convert("RGB")
    assert image.width >= 300 and image.height >= 200
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 8, f"{path.name} looks blank"
    return image


def exchange_code(origin: str, client, code: str) -> dict:
    body = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "code": code,
        "redirect_uri": CHATGPT_REDIRECT,
    }
    with use_loopback(requests.Session()) as http:
        response = http.post(
            f"{origin}/auth/oauth_exchange",
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
    assert response.status_code == 200, response.text
    return response.json()


def api_get(origin: str, access_token: str) -> requests.Response:
    with use_loopback(requests.Session()) as http:
        return http.get(
            f"{origin}/todos/alice",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )


def test_sign_in_consent_list_and_revoke(oauth_origin, chatgpt, alice_user, tmp_path, request):
    # Chromium starts last: Playwright's event loop must not be running while the other
    # fixtures write to the database (Django refuses ORM calls inside an event loop).
    page = request.getfixturevalue("chromium_page")
    page.route(
        "https://chat.openai.com/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>callback</p>"),
    )
    page.goto(
        f"{oauth_origin}/oauth?response_type=code&client_id={chatgpt.client_id}"
        f"&redirect_uri={CHATGPT_REDIRECT}&scope=todos&state=pages-state"
    )

    # Sign-in: a wrong password keeps the username and says what went wrong.
    assert "/oauth/login" in page.url
    page.fill("#id_username", "alice")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector("p.error")
    assert page.input_value("#id_username") == "alice"
    assert "did not match" in page.inner_text("p.error")
    assert page.is_visible("#id_password")
    assert page.is_visible("button[type=submit]")
    screenshot(page, tmp_path / "sign-in.png")

    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(f"{oauth_origin}/oauth?"))

    # Consent: names the app and the plugin, lists the scope, offers Allow and Deny.
    assert page.inner_text("h2") == f"Allow {APP_NAME} to use TODO List (OAuth)?"
    assert "Read, add and delete the items of your TODO list" in page.inner_text("ul")
    assert page.is_visible("button[name=allow]")
    assert page.is_visible("button:not([name=allow])")
    screenshot(page, tmp_path / "consent.png")
    page.click("button[name=allow]")
    page.wait_for_url(lambda url: url.startswith(f"{CHATGPT_REDIRECT}?"))
    params = query_of(page.url)
    assert params["state"] == "pages-state"

    tokens = exchange_code(oauth_origin, chatgpt, params["code"])
    assert api_get(oauth_origin, tokens["access_token"]).status_code == 200

    # The authorised apps: the app is listed with a revoke link.
    page.goto(f"{oauth_origin}/oauth/authorized")
    apps = page.locator("li.app")
    assert apps.count() == 1
    assert APP_NAME in apps.first.inner_text()
    screenshot(page, tmp_path / "authorized-apps.png")

    apps.first.locator("text=Revoke access").click()
    page.wait_for_url(lambda url: url.endswith("/revoke"))
    assert page.inner_text("h2") == f"Revoke access of {APP_NAME}?"
    assert page.is_visible("button[name=revoke]")
    assert page.is_visible("text=Cancel")
    screenshot(page, tmp_path / "revoke.png")
    page.click("button[name=revoke]")
    page.wait_for_url(f"{oauth_origin}/oauth/authorized")
    assert page.locator("li.app").count() == 0
    assert "No app can use TODO List (OAuth)" in page.inner_text("ul.apps")

    refused = api_get(oauth_origin, tokens["access_token"])
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_token"
