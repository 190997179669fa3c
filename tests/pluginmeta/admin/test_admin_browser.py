"""The admin in headless Chromium: sign in, then screenshot and check the pages an operator uses."""

import re
import shutil
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from pluginmeta.auth.oauth.services import register_client
from pluginmeta.models import Plugin
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, CHROMIUM, KEY_PATTERN, PASSWORD

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def admin_origin(live_server) -> str:
    return f"http://localhost:{urlsplit(live_server.url).port}"


@pytest.fixture
def site(live_server, django_user_model):
    """What the pages should show, written before the browser starts."""
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    django_user_model.objects.create_user("alice", password=PASSWORD)
    django_user_model.objects.create_user("bob", password=PASSWORD)
    oauth_plugin = Plugin.objects.get(slug="todo-oauth")
    clients = [register_client(oauth_plugin, [CHATGPT_REDIRECT]) for _ in range(3)]
    return {
        "plugins": dict(Plugin.objects.values_list("slug", "pk")),
        "client_ids": {client.client_id for client in clients},
    }


def screenshot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(PNG_MAGIC)


def sign_in(page, origin: str) -> None:
    page.goto(f"{origin}/admin/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{origin}/admin/")
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")


def test_admin_pages_in_chromium(admin_origin, site, tmp_path, chromium_page):
    # chromium_page comes last: the ORM must not be used once Playwright's loop runs.
    page = chromium_page
    # Wide enough for every column of the lists beside the navigation sidebar.
    page.set_viewport_size({"width": 1600, "height": 900})
    sign_in(page, admin_origin)
    screenshot(page, tmp_path, "admin-index")

    # The plugin list: one row per plugin.
    page.goto(f"{admin_origin}/admin/pluginmeta/plugin/")
    slugs = page.locator("#result_list td.field-slug").all_inner_texts()
    assert sorted(slugs) == sorted(site["plugins"])
    screenshot(page, tmp_path, "plugin-list")

    # A no-auth plugin: no key or OAuth settings, descriptions in text areas, logo, links.
    page.goto(f"{admin_origin}/admin/pluginmeta/plugin/{site['plugins']['todo']}/change/")
    assert page.locator("select#id_auth_type").input_value() == "none"
    for absent in ["new_service_key", "verification_token", "authorization_type", "oauth_scope"]:
        assert page.locator(f"#id_{absent}").count() == 0, absent
    assert page.get_by_text("Generate a new service key").count() == 0
    assert page.locator("textarea#id_description_for_human").is_visible()
    assert page.locator("textarea#id_description_for_model").is_visible()
    assert page.locator("input[name=hosts-0-hostname]").input_value() == "127.0.0.1"
    logo = page.locator("img.plugin-logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") > 0
    links = links_of(page)
    assert links["Manifest"] == f"{admin_origin}/.well-known/ai-plugin.json"
    assert links["OpenAPI spec"] == f"{admin_origin}/openapi.yaml"
    assert links["API docs"] == f"{admin_origin}/docs"
    screenshot(page, tmp_path, "plugin-no-auth")

    # A service_http plugin: its key and token, and nothing of OAuth.
    page.goto(f"{admin_origin}/admin/pluginmeta/plugin/{site['plugins']['todo-service']}/change/")
    assert page.locator("#id_new_service_key").is_visible()
    assert page.get_by_text("Generate a new service key").is_visible()
    assert page.locator("#id_verification_token").is_visible()
    assert page.locator("#id_oauth_scope").count() == 0
    assert page.locator(".field-service_key_prefix").inner_text().endswith("No key yet")
    service_port = urlsplit(admin_origin).port
    assert links_of(page)["Manifest"] == (
        f"http://todo-service.localhost:{service_port}/.well-known/ai-plugin.json"
    )
    screenshot(page, tmp_path, "plugin-service")

    # The OAuth clients: three of one name, told apart by client id.
    page.goto(f"{admin_origin}/admin/oauth2_provider/application/")
    assert page.locator("th.column-client_id").inner_text().strip().lower() == "client id"
    shown_ids = page.locator("#result_list td.field-client_id").all_inner_texts()
    assert set(shown_ids) == site["client_ids"]
    redirect_cells = page.locator("#result_list td.field-redirect_uri_column").all_inner_texts()
    assert redirect_cells == [CHATGPT_REDIRECT] * 3
    assert page.locator("#result_list td.field-plugin").all_inner_texts() == ["todo-oauth"] * 3
    screenshot(page, tmp_path, "oauth-clients")

    # A user key: the user is picked by typing part of the name.
    page.goto(f"{admin_origin}/admin/pluginmeta/userkey/add/")
    page.click("#id_user + .select2 .select2-selection")
    page.fill(".select2-search__field", "ali")
    # The list first shows every user, then only the matches of what was typed.
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator(".select2-results__option")).to_have_text(["alice"])
    option = page.locator(".select2-results__option", has_text="alice")
    screenshot(page, tmp_path, "user-key-pick-user")
    option.click()
    assert page.locator("#id_user").input_value() != ""
    page.select_option("#id_plugin", label="TODO (user keys) (todo-user)")
    page.fill("#id_name", "laptop")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r".*/admin/pluginmeta/userkey/$"))
    message = page.locator("ul.messagelist").inner_text()
    (key,) = KEY_PATTERN.findall(message)
    assert "The new key of alice on todo-user" in message
    screenshot(page, tmp_path, "user-key-created")
    # The key works for alice on her plugin's host.
    answer = page.request.get(
        # Playwright's own HTTP client does not resolve *.localhost; Chromium does.
        f"http://127.0.0.1:{service_port}/todos/alice",
        headers={"Host": "todo-user.localhost", "Authorization": f"Bearer {key}"},
    )
    assert answer.status == 200
    assert answer.json() == {"todos": []}


def links_of(page) -> dict[str, str]:
    return {
        link.text_content(): link.get_attribute("href")
        for link in page.locator("a.plugin-link").all()
    }
