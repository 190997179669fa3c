"""The admin pages of plugins, OAuth clients and user keys, as rendered for a superuser."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from oauth2_provider.models import get_application_model

from pluginmeta.admin.oauth import OAuthClientForm
from pluginmeta.auth.oauth.services import register_client
from pluginmeta.models import Plugin
from pluginmeta.models.keys import ServiceKey
from pluginmeta.views import DEFAULT_LOGO
from tests.conftest import HostClient
from tests.helpers.images import png_bytes
from tests.helpers.keys import plugin_form_data, shown_key
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, GPT_REDIRECT

AUTH_CONTROLS = {"authorization_type", "verification_token", "oauth_scope", "new_service_key"}


class FormControls(HTMLParser):
    """The tag of every named form control of a page: {name: "input" | "select" | "textarea"}."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        name = dict(attrs).get("name")
        if tag in {"input", "select", "textarea"} and name:
            self.controls[name] = tag


def controls_of(response) -> dict[str, str]:
    assert response.status_code == 200, response.status_code
    return FormControls(response.content.decode()).controls


def change_url(plugin: Plugin) -> str:
    return f"/admin/pluginmeta/plugin/{plugin.pk}/change/"


@pytest.fixture
def admin_page(admin_client_on):
    """GET an admin path as a superuser on localhost:8000; the response."""
    client = admin_client_on("localhost:8000")
    return client.get


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "shown"),
    [
        ("todo", set()),
        ("sports", set()),
        ("todo-service", {"authorization_type", "verification_token", "new_service_key"}),
        ("todo-user", {"authorization_type"}),
        ("todo-oauth", {"oauth_scope", "verification_token"}),
    ],
)
def test_a_plugin_page_shows_only_its_auth_types_settings(admin_page, slug, shown):
    controls = controls_of(admin_page(change_url(Plugin.objects.get(slug=slug))))
    assert controls["auth_type"] == "select"
    assert AUTH_CONTROLS & set(controls) == shown


@pytest.mark.django_db
def test_key_summaries_appear_on_their_own_auth_types_only(admin_page, service_key):
    service = admin_page(change_url(Plugin.objects.get(slug="todo-service"))).content.decode()
    assert f"{service_key.split('.')[0]}… (only this prefix is kept)" in service
    assert "Add a user key" not in service
    user_plugin = Plugin.objects.get(slug="todo-user")
    user = admin_page(change_url(user_plugin)).content.decode()
    assert "Add a user key" in user
    assert f"/admin/pluginmeta/userkey/add/?plugin={user_plugin.pk}" in user
    assert "only this prefix is kept" not in user and "No key yet" not in user
    for slug in ["todo", "todo-oauth"]:
        page = admin_page(change_url(Plugin.objects.get(slug=slug))).content.decode()
        assert "Generate a new service key" not in page
        assert "Service key" not in page and "Add a user key" not in page


@pytest.mark.django_db
def test_a_new_plugin_offers_every_setting_but_no_key(admin_page):
    controls = controls_of(admin_page("/admin/pluginmeta/plugin/add/"))
    assert AUTH_CONTROLS & set(controls) == AUTH_CONTROLS - {"new_service_key"}


@pytest.mark.django_db
def test_descriptions_are_text_areas_and_keep_their_limit(admin_page):
    page = admin_page(change_url(Plugin.objects.get(slug="todo")))
    controls = controls_of(page)
    assert controls["description_for_human"] == "textarea"
    assert controls["description_for_model"] == "textarea"
    assert re.search(r'<textarea name="description_for_human"[^>]*maxlength="100"', page.text)


@pytest.mark.django_db
def test_the_plugin_page_links_its_public_pages_on_its_own_host(admin_page):
    page = admin_page(change_url(Plugin.objects.get(slug="todo-service"))).content.decode()
    origin = "http://todo-service.localhost:8000"
    for url in ["/", "/.well-known/ai-plugin.json", "/openapi.yaml", "/docs"]:
        assert f'href="{origin}{url}"' in page, url


@pytest.mark.django_db
def test_the_links_use_the_admins_host_when_the_plugin_answers_there(admin_page):
    page = admin_page(change_url(Plugin.objects.get(slug="todo"))).content.decode()
    assert 'href="http://localhost:8000/.well-known/ai-plugin.json"' in page


@pytest.mark.django_db
def test_a_plugin_without_hostnames_has_no_links(admin_page):
    plugin = Plugin.objects.get(slug="sports")
    plugin.hosts.all().delete()
    page = admin_page(change_url(plugin)).content.decode()
    assert "ai-plugin.json" not in page
    assert "Landing page" not in page
    assert "hosts-0-hostname" in FormControls(page).controls  # where to add one


@pytest.mark.django_db
def test_the_logo_preview_shows_the_uploaded_logo_or_the_default(admin_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plugin = Plugin.objects.get(slug="todo")
    src = re.search(r'<img src="([^"]+)" alt="Logo of ', admin_page(change_url(plugin)).text)
    assert src, "no logo preview"
    default = admin_page(src.group(1).replace("&amp;", "&"))
    assert default["Content-Type"] == "image/png"
    assert b"".join(default.streaming_content) == DEFAULT_LOGO.read_bytes()

    uploaded = png_bytes("blue")
    plugin.logo = SimpleUploadedFile("blue.png", uploaded, content_type="image/png")
    plugin.save()
    src_after = re.search(r'<img src="([^"]+)" alt="Logo of ', admin_page(change_url(plugin)).text)
    assert b"".join(admin_page(src_after.group(1)).streaming_content) == uploaded


@pytest.mark.django_db
def test_the_logo_preview_needs_a_signed_in_admin():
    plugin = Plugin.objects.get(slug="todo")
    response = HostClient("localhost").get(f"/admin/pluginmeta/plugin/{plugin.pk}/logo/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_hostnames_are_inline_on_every_plugin_and_oauth_clients_on_oauth_ones(admin_page):
    oauth_plugin = Plugin.objects.get(slug="todo-oauth")
    client = register_client(oauth_plugin, [CHATGPT_REDIRECT])
    oauth_page = admin_page(change_url(oauth_plugin))
    assert "hosts-0-hostname" in controls_of(oauth_page)
    assert client.client_id in oauth_page.text and CHATGPT_REDIRECT in oauth_page.text
    assert "OAuth clients" in oauth_page.text
    service_page = admin_page(change_url(Plugin.objects.get(slug="todo-service")))
    assert "hosts-0-hostname" in controls_of(service_page)
    assert "oauth_clients-TOTAL_FORMS" not in controls_of(service_page)


@pytest.mark.django_db
def test_identical_oauth_clients_are_told_apart_in_the_list(admin_page):
    plugin = Plugin.objects.get(slug="todo-oauth")
    clients = [register_client(plugin, [CHATGPT_REDIRECT, GPT_REDIRECT]) for _ in range(3)]
    for path in ["/admin/oauth2_provider/application/", "/admin/pluginmeta/pluginoauthclient/"]:
        page = admin_page(path).content.decode()
        for header in ["Client id", "Redirect URIs", "Plugin", "Created"]:
            assert re.search(rf">{header}</", page, re.IGNORECASE), (path, header)
        rows = re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)
        client_rows = [row for row in rows if "ChatGPT (todo-oauth)" in row]
        assert len(client_rows) == 3, path
        for client in clients:
            (row,) = [row for row in client_rows if client.client_id in row]
            assert CHATGPT_REDIRECT in row and GPT_REDIRECT in row
            assert "todo-oauth" in row


@pytest.mark.django_db
def test_an_oauth_client_is_tied_only_to_an_oauth_plugin(admin_page):
    page = admin_page("/admin/oauth2_provider/application/add/").content.decode()
    choices = re.search(r'<select name="plugin_link-0-plugin".*?</select>', page, re.DOTALL)
    assert choices, "no plugin choice on the OAuth client page"
    assert "TODO List (OAuth)" in choices.group(0)
    assert "Sport Stats" not in choices.group(0)


@pytest.mark.django_db
def test_changing_the_auth_type_fits_the_hidden_settings(admin_client_on):
    admin = admin_client_on("localhost")
    plugin = Plugin.objects.get(slug="todo")
    # The no-auth page has only the auth type: switching to service_http gets bearer.
    data = plugin_form_data(plugin, auth_type="service_http")
    for name in ["authorization_type", "verification_token", "oauth_scope"]:
        data.pop(name)
    response = admin.post(change_url(plugin), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plugin.refresh_from_db()
    assert (plugin.auth_type, plugin.authorization_type) == ("service_http", "bearer")

    # Now a service plugin: give it a token, then switch to no auth; the token goes.
    data = plugin_form_data(plugin, verification_token="tok", new_service_key="on")
    data.pop("oauth_scope")
    response = admin.post(change_url(plugin), data, follow=True)
    assert shown_key(response)
    data = plugin_form_data(plugin, auth_type="none")
    for name in ["authorization_type", "verification_token", "oauth_scope"]:
        data.pop(name)
    response = admin.post(change_url(plugin), data)
    assert response.status_code == 302
    plugin.refresh_from_db()
    assert (plugin.auth_type, plugin.authorization_type, plugin.verification_token) == (
        "none",
        "",
        "",
    )
    assert ServiceKey.objects.filter(plugin=plugin).exists()  # unused unless switched back


@pytest.mark.django_db
def test_switching_a_plugin_to_oauth_gives_it_a_scope(admin_client_on):
    # The no-auth page hides the scope field, so the switch fills it with the model name.
    plugin = Plugin.objects.get(slug="todo")
    data = plugin_form_data(plugin, auth_type="oauth")
    for name in ["authorization_type", "verification_token", "oauth_scope"]:
        data.pop(name)
    response = admin_client_on("localhost").post(change_url(plugin), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plugin.refresh_from_db()
    assert (plugin.auth_type, plugin.oauth_scope) == ("oauth", "todo")


@pytest.mark.django_db
def test_an_oauth_plugin_cannot_be_saved_without_a_scope(admin_client_on):
    plugin = Plugin.objects.get(slug="todo-oauth")
    response = admin_client_on("localhost").post(
        change_url(plugin), plugin_form_data(plugin, oauth_scope="")
    )
    assert response.status_code == 200
    assert "Required when auth type is oauth." in response.content.decode()
    plugin.refresh_from_db()
    assert plugin.oauth_scope == "todos"


@pytest.mark.django_db
def test_a_user_key_is_made_by_picking_the_user_by_name(admin_page, alice_user, bob_user):
    page = admin_page("/admin/pluginmeta/userkey/add/").content.decode()
    user_field = re.search(r'<select name="user"[^>]*>', page)
    assert user_field, "the user is not chosen from a list"
    assert 'class="admin-autocomplete"' in user_field.group(0)
    assert "vForeignKeyRawIdAdminField" not in page
    found = admin_page(
        "/admin/autocomplete/",
        {"term": "ali", "app_label": "pluginmeta", "model_name": "userkey", "field_name": "user"},
    ).json()
    assert found["results"] == [{"id": str(alice_user.pk), "text": "alice"}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("redirect_uris", "accepted"),
    [
        ("http://evil.example/callback", False),
        ("https://chatgpt.com/connector/oauth/abc#frag", False),
        ("https://chatgpt.com/connector/oauth/abc http://127.0.0.1:33418/callback", True),
    ],
)
def test_the_admin_checks_oauth_redirect_uris_as_the_commands_do(redirect_uris, accepted):
    form = OAuthClientForm(
        data={"redirect_uris": redirect_uris},
        instance=get_application_model()(),
    )
    form.is_valid()
    assert ("redirect_uris" not in form.errors) is accepted
