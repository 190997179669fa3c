"""Host routing: every host of README.md, unknown and hostile hosts, caching and Vary."""

import json

import pytest
from django.utils.cache import has_vary_header

from pluginmeta.models import Plugin, PluginHost
from tests.conftest import ALL_HOSTS, HostClient

pytestmark = pytest.mark.mutation

EXPECTED = {
    "localhost": ("todo", "none"),
    "127.0.0.1": ("todo", "none"),
    "todo-service.localhost": ("todo_service", "service_http"),
    "todo-user.localhost": ("todo_user", "user_http"),
    "todo-oauth.localhost": ("todo_oauth", "oauth"),
    "sports.localhost": ("sportStats", "none"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("host", ALL_HOSTS)
def test_each_host_serves_its_own_manifest(host):
    response = HostClient(host).get("/.well-known/ai-plugin.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    manifest = response.json()
    name_for_model, auth_type = EXPECTED[host]
    assert manifest["name_for_model"] == name_for_model
    assert manifest["auth"]["type"] == auth_type
    assert has_vary_header(response, "Host")


@pytest.mark.django_db
def test_host_with_port_resolves_and_keeps_the_port_in_urls():
    manifest = HostClient("sports.localhost:8000").get("/.well-known/ai-plugin.json").json()
    assert manifest["api"]["url"] == "http://sports.localhost:8000/openapi.yaml"


@pytest.mark.django_db
def test_host_lookup_is_case_insensitive():
    response = HostClient("SPORTS.localhost").get("/.well-known/ai-plugin.json")
    assert response.json()["name_for_model"] == "sportStats"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/.well-known/ai-plugin.json", "/todos/alice"])
def test_allowed_host_without_plugin_is_404_json(path):
    response = HostClient("nobody.localhost").get(path)
    assert response.status_code == 404
    assert response.json() == {
        "error": "unknown_host",
        "detail": "No plugin is served on this host.",
    }
    # A shared cache must not hand this 404 to a host that has a plugin.
    assert has_vary_header(response, "Host")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host",
    [
        'evil.com"},"x":"',
        "local host",
        "localhost:80:80",
        "evil.com\n<b>",
    ],
)
def test_host_header_injection_is_refused(host):
    response = HostClient(host).get("/.well-known/ai-plugin.json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "disallowed_host"
    assert "evil" not in response.content.decode()
    assert "local host" not in response.content.decode()


@pytest.mark.django_db
def test_inactive_plugin_answers_404():
    Plugin.objects.filter(slug="sports").update(is_active=False)
    response = HostClient("sports.localhost").get("/.well-known/ai-plugin.json")
    assert response.status_code == 404


@pytest.mark.django_db
def test_saving_a_plugin_is_seen_on_the_next_request():
    client = HostClient("sports.localhost")
    assert client.get("/.well-known/ai-plugin.json").json()["name_for_human"] == "Sport Stats"
    plugin = Plugin.objects.get(slug="sports")
    plugin.name_for_human = "Box Scores"
    plugin.save()
    assert client.get("/.well-known/ai-plugin.json").json()["name_for_human"] == "Box Scores"


@pytest.mark.django_db
def test_adding_and_removing_a_hostname_takes_effect_at_once():
    client = HostClient("todo.example.localhost")
    assert client.get("/.well-known/ai-plugin.json").status_code == 404
    host = PluginHost.objects.create(plugin=Plugin.objects.get(slug="todo"), hostname=client.host)
    assert client.get("/.well-known/ai-plugin.json").status_code == 200
    host.delete()
    assert client.get("/.well-known/ai-plugin.json").status_code == 404


@pytest.mark.django_db
def test_unknown_path_on_a_plugin_host_is_404_json(noauth):
    response = noauth.get("/no/such/path")
    assert response.status_code == 404
    assert json.loads(response.content)["error"] == "not_found"


@pytest.mark.django_db
def test_wrong_method_on_manifest_is_405(noauth):
    assert noauth.post("/.well-known/ai-plugin.json").status_code == 405


@pytest.mark.django_db
def test_landing_page_names_the_plugin_and_links_its_documents():
    response = HostClient("sports.localhost").get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>" in html and "Sport Stats" in html
    assert 'href="/.well-known/ai-plugin.json"' in html
    assert 'href="/openapi.yaml"' in html
