"""list_plugins, plugin_hostname, plugin_verification_token and setup_demo's summary."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from oauth2_provider.models import get_application_model

from pluginmeta.models import Plugin, PluginHost
from pluginmeta.models.keys import ServiceKey
from tests.conftest import OAUTH_HOST, SERVICE_HOST, HostClient
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, GPT_REDIRECT, command_output

pytestmark = pytest.mark.django_db

DEPLOYED_HOST = "todo.example.com"
EXAMPLE_SLUGS = ["retrieval", "sports", "todo", "todo-oauth", "todo-service", "todo-user"]


def manifest_auth(host: str) -> dict:
    return HostClient(host).get("/.well-known/ai-plugin.json").json()["auth"]


# --- list_plugins ---------------------------------------------------------------------------------


def test_list_plugins_names_every_plugin_with_its_auth_and_urls():
    out, _ = command_output("list_plugins", "--port", "8000")
    lines = out.splitlines()
    headings = [line for line in lines if not line.startswith(" ")][:-1]
    assert [heading.split()[0] for heading in headings] == EXAMPLE_SLUGS
    assert "todo-oauth  TODO List (OAuth)  (todo API, auth oauth)" in lines
    assert "todo-service  TODO (service auth)  (todo API, auth service_http)" in lines
    for hostname in PluginHost.objects.values_list("hostname", flat=True):
        assert f"    http://{hostname}:8000/" in lines
    assert "/docs (Swagger UI)" in lines[-1]
    assert "/admin/ (admin)" in lines[-1]


def test_list_plugins_marks_hostnames_outside_allowed_hosts(settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    out, _ = command_output("list_plugins", "--scheme", "https")
    assert "    https://localhost/\n" in out
    assert "    https://sports.localhost/  [not in DJANGO_ALLOWED_HOSTS]\n" in out


def test_list_plugins_shows_a_plugin_without_hostname_and_how_to_add_one():
    PluginHost.objects.filter(plugin__slug="sports").delete()
    out, _ = command_output("list_plugins")
    assert "    no hostname: add one with `plugin_hostname add sports HOSTNAME`" in out


def test_list_plugins_refuses_a_port_out_of_range():
    with pytest.raises(CommandError, match="not a TCP port"):
        command_output("list_plugins", "--port", "70000")


# --- plugin_hostname ------------------------------------------------------------------------------


def test_the_documented_deploy_reaches_the_admin_after_adding_a_hostname(settings):
    # The README's deploy: DJANGO_ALLOWED_HOSTS names only the production domains.
    settings.ALLOWED_HOSTS = [DEPLOYED_HOST, "sports.example.com"]
    client = HostClient(DEPLOYED_HOST)
    assert client.get("/admin/login/").status_code == 404

    out, err = command_output("plugin_hostname", "add", "todo", DEPLOYED_HOST)

    assert out == f"{DEPLOYED_HOST} now serves todo\n"
    assert err == ""
    assert client.get("/admin/login/").status_code == 200
    manifest = client.get("/.well-known/ai-plugin.json").json()
    assert manifest["api"]["url"] == f"http://{DEPLOYED_HOST}/openapi.yaml"


def test_adding_a_hostname_outside_allowed_hosts_says_what_else_to_do(settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    _, err = command_output("plugin_hostname", "add", "todo", DEPLOYED_HOST)
    assert f"Add {DEPLOYED_HOST} to DJANGO_ALLOWED_HOSTS" in err


def test_adding_is_idempotent_and_normalises_the_name():
    command_output("plugin_hostname", "add", "todo", "TODO.Example.COM.")
    out, _ = command_output("plugin_hostname", "add", "todo", DEPLOYED_HOST)
    assert out == f"{DEPLOYED_HOST} already served todo\n"
    assert (
        list(PluginHost.objects.filter(plugin__slug="todo").values_list("hostname", flat=True))[-1]
        == DEPLOYED_HOST
    )
    assert PluginHost.objects.filter(hostname=DEPLOYED_HOST).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["add", "nope", DEPLOYED_HOST],
            "No plugin has the slug 'nope'; the plugins are: retrieval, sports,",
        ),
        (["add", "sports", "localhost"], "localhost already serves todo; remove it from there"),
        (["add", "todo", "https://todo.example.com"], "without scheme or port"),
        (["add", "todo", "todo.example.com:8443"], "without scheme or port"),
        (["add", "todo", " "], "Give a hostname, e.g. todo.example.com."),
        (["remove", "nowhere.example.com"], "No plugin is served on 'nowhere.example.com'"),
    ],
)
def test_plugin_hostname_refuses_with_a_clear_message_and_changes_nothing(args, message):
    before = sorted(PluginHost.objects.values_list("hostname", "plugin__slug"))
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        command_output("plugin_hostname", *args)
    assert sorted(PluginHost.objects.values_list("hostname", "plugin__slug")) == before


def test_removing_a_hostname_stops_serving_on_it():
    command_output("plugin_hostname", "add", "sports", "stats.localhost")
    assert HostClient("stats.localhost").get("/teams").status_code == 200
    out, err = command_output("plugin_hostname", "remove", "Stats.Localhost")
    assert out == "stats.localhost no longer serves sports\n"
    assert err == ""
    response = HostClient("stats.localhost").get("/teams")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_host"


def test_removing_the_last_hostname_warns_that_nothing_serves_the_plugin():
    _, err = command_output("plugin_hostname", "remove", "sports.localhost")
    assert err == "sports has no hostname left: nothing serves it.\n"


# --- plugin_verification_token and register_chatgpt_client ---------------------------------------


@pytest.mark.parametrize("host", [SERVICE_HOST, OAUTH_HOST])
def test_the_verification_token_command_stores_the_token_for_any_plugin_that_takes_one(host):
    out, _ = command_output("plugin_verification_token", host, "tok-from-chatgpt")
    slug = Plugin.objects.get(hosts__hostname=host).slug
    assert out == f"Stored the verification token of {slug}.\n"
    assert manifest_auth(host)["verification_tokens"] == {"openai": "tok-from-chatgpt"}


def test_the_verification_token_command_keeps_keys_and_clients():
    service_key = command_output("plugin_service_key", SERVICE_HOST)[0].strip()
    command_output("register_chatgpt_client", OAUTH_HOST, "--redirect-uri", CHATGPT_REDIRECT)
    command_output("plugin_verification_token", SERVICE_HOST, "t1")
    command_output("plugin_verification_token", OAUTH_HOST, "t2")
    assert ServiceKey.objects.count() == 1
    assert ServiceKey.objects.get().prefix == service_key.split(".")[0]
    assert get_application_model().objects.count() == 1


@pytest.mark.parametrize(
    ("host", "token", "message"),
    [
        ("localhost", "tok", "todo: Only service_http and oauth plugins take one."),
        ("nowhere.localhost", "tok", "No plugin is served on 'nowhere.localhost'."),
        (OAUTH_HOST, "   ", "The token is empty"),
        (OAUTH_HOST, "x" * 201, "at most 200 characters"),
    ],
)
def test_the_verification_token_command_refuses(host, token, message):
    with pytest.raises(CommandError, match=message):
        command_output("plugin_verification_token", host, token)
    assert set(Plugin.objects.values_list("verification_token", flat=True)) == {""}


def test_registering_again_with_the_token_stores_it_without_a_second_client():
    first, _ = command_output(
        "register_chatgpt_client", OAUTH_HOST, "--redirect-uri", CHATGPT_REDIRECT
    )
    client_id = first.splitlines()[0]
    again, err = command_output(
        "register_chatgpt_client", OAUTH_HOST, "--redirect-uri", CHATGPT_REDIRECT,
        "--verification-token", "tok-2",
    )  # fmt: skip
    assert again == f"{client_id}\n"
    assert "keeps its secret" in err
    assert get_application_model().objects.count() == 1
    assert manifest_auth(OAUTH_HOST)["verification_tokens"] == {"openai": "tok-2"}


def test_a_registration_with_other_redirect_uris_is_a_new_client():
    command_output("register_chatgpt_client", OAUTH_HOST, "--redirect-uri", CHATGPT_REDIRECT)
    out, _ = command_output(
        "register_chatgpt_client", OAUTH_HOST, "--redirect-uri", GPT_REDIRECT,
        "--verification-token", "tok-3",
    )  # fmt: skip
    assert "client_secret: " in out
    assert get_application_model().objects.count() == 2


# --- setup_demo -----------------------------------------------------------------------------------


def test_setup_demo_tells_where_everything_is_and_how_to_make_the_first_admin():
    out, _ = command_output("setup_demo", "--port", "8123")
    assert "    http://sports.localhost:8123/\n" in out
    assert "    http://todo-oauth.localhost:8123/\n" in out
    assert "Admin: http://localhost:8123/admin/" in out
    assert ".venv/bin/python manage.py createsuperuser" in out

    get_user_model().objects.create_superuser("root", password="a-long-password-1")
    out, _ = command_output("setup_demo", "--port", "8123")
    assert "Admin: http://localhost:8123/admin/" in out
    assert "createsuperuser" not in out


# --- A URL where a hostname belongs -----------------------------------------------------------


def test_list_plugins_without_a_port_prints_the_port_make_run_serves_on():
    out, err = command_output("list_plugins")
    assert "    http://sports.localhost:8000/\n" in out
    assert "    http://localhost:8000/\n" in out
    assert "make run" in err
    assert "--port" in err


def test_list_plugins_with_port_80_prints_urls_without_a_port():
    out, err = command_output("list_plugins", "--port", "80")
    assert "    http://sports.localhost/\n" in out
    assert err == ""


@pytest.mark.parametrize(
    "given",
    ["sports.localhost:8000", "http://sports.localhost:8000/", "HTTP://Sports.localhost"],
)
def test_plugin_hostname_remove_of_a_url_names_the_hostname_to_give(given):
    before = sorted(PluginHost.objects.values_list("hostname", "plugin__slug"))
    with pytest.raises(CommandError) as refusal:
        command_output("plugin_hostname", "remove", given)
    message = str(refusal.value)
    assert message.endswith(": sports.localhost (see list_plugins).")
    assert "without scheme, port or path" in message
    assert "\n" not in message
    assert sorted(PluginHost.objects.values_list("hostname", "plugin__slug")) == before


@pytest.mark.parametrize("given", [f"{OAUTH_HOST}:8000", f"http://{OAUTH_HOST}:8000/"])
def test_the_verification_token_command_names_the_hostname_to_give(given):
    with pytest.raises(CommandError) as refusal:
        command_output("plugin_verification_token", given, "tok")
    assert str(refusal.value).endswith(f"without scheme, port or path: {OAUTH_HOST}")
    assert set(Plugin.objects.values_list("verification_token", flat=True)) == {""}
