"""Every plugin under /p/<slug>/ on any allowed host: routing, the URLs it writes, refusals."""

import pytest
from django.utils.cache import has_vary_header

from pluginmeta.api.errors import JSON_RPC_SERVICE_UNAVAILABLE
from pluginmeta.hosts.mount import serves_resource, split_mount
from pluginmeta.hosts.resolver import forget_host_map
from pluginmeta.models import Plugin
from tests.conftest import NOAUTH_HOST, SPORTS_HOST, USER_HOST, HostClient
from tests.pluginmeta.conftest import command_output
from tests.pluginmeta.hosts.conftest import with_mounts

pytestmark = pytest.mark.mutation

SLUGS = ["todo", "todo-service", "todo-user", "todo-oauth", "sports", "retrieval"]
BASE = "http://localhost:8000"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_each_plugin_serves_its_manifest_and_spec_under_its_path(slug):
    web = HostClient("localhost:8000")
    plugin = Plugin.objects.get(slug=slug)
    manifest = web.get(f"/p/{slug}/.well-known/ai-plugin.json")
    assert manifest.status_code == 200
    assert manifest.json()["name_for_model"] == plugin.name_for_model
    assert manifest.json()["api"]["url"] == f"{BASE}/p/{slug}/openapi.yaml"
    assert manifest.json()["logo_url"] == f"{BASE}/p/{slug}/logo.png"
    spec = web.get(f"/p/{slug}/openapi.json").json()
    assert spec["servers"] == [{"url": f"{BASE}/p/{slug}"}]
    assert spec["info"]["title"] == plugin.name_for_human
    assert web.get(f"/p/{slug}/logo.png").status_code == 200
    assert has_vary_header(manifest, "Host")


@pytest.mark.django_db
def test_the_host_form_is_unchanged():
    manifest = HostClient("sports.localhost:8000").get("/.well-known/ai-plugin.json").json()
    assert manifest["api"]["url"] == "http://sports.localhost:8000/openapi.yaml"
    spec = HostClient("sports.localhost:8000").get("/openapi.json").json()
    assert spec["servers"] == [{"url": "http://sports.localhost:8000"}]


@pytest.mark.django_db
def test_oauth_urls_of_manifest_and_spec_keep_the_path():
    web = HostClient("localhost:8000")
    auth = web.get("/p/todo-oauth/.well-known/ai-plugin.json").json()["auth"]
    assert auth["client_url"] == f"{BASE}/p/todo-oauth/oauth"
    assert auth["authorization_url"] == f"{BASE}/p/todo-oauth/auth/oauth_exchange"
    spec = web.get("/p/todo-oauth/openapi.json").json()
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{BASE}/p/todo-oauth/oauth"
    assert flow["tokenUrl"] == f"{BASE}/p/todo-oauth/auth/oauth_exchange"


@pytest.mark.django_db
def test_landing_page_and_docs_link_under_the_path():
    web = HostClient("localhost:8000")
    page = web.get("/p/sports/").content.decode()
    for path in ("logo.png", "docs", "redoc", ".well-known/ai-plugin.json", "openapi.json"):
        assert f'"/p/sports/{path}"' in page
    assert f"{BASE}/p/sports/openapi.json" in page
    assert 'href="/docs"' not in page
    # Without the trailing slash, the same page.
    assert web.get("/p/sports").content.decode() == page
    swagger = web.get("/p/sports/docs").content.decode()
    assert '"/p/sports/openapi.json"' in swagger
    redoc = web.get("/p/sports/redoc").content.decode()
    assert "/p/sports/openapi.json" in redoc


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", SPORTS_HOST, "nobody.localhost", "127.0.0.1"])
def test_the_path_names_the_plugin_on_any_allowed_host(host):
    manifest = HostClient(host).get("/p/todo-user/.well-known/ai-plugin.json").json()
    assert manifest["name_for_model"] == "todo_user"
    assert manifest["api"]["url"] == f"http://{host}/p/todo-user/openapi.yaml"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/p/nope/mcp",
        "/p/nope",
        "/p/",
        "/p",
        "/p//mcp",
        "/p/bad%20slug/openapi.json",
        "/p/%C3%A9t%C3%A9/",
        "/.well-known/oauth-authorization-server/p/nope",
        "/.well-known/oauth-protected-resource/p/nope/mcp",
    ],
)
def test_an_unknown_slug_is_the_unknown_hosts_404(path):
    for method in ("get", "post"):
        response = getattr(HostClient(NOAUTH_HOST), method)(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "error": "unknown_plugin",
            "detail": "No plugin is served at this path.",
        }
        assert has_vary_header(response, "Host")


@pytest.mark.django_db
def test_an_inactive_plugin_is_not_served_by_path_either():
    plugin = Plugin.objects.get(slug="sports")
    plugin.is_active = False
    plugin.save()
    response = HostClient(NOAUTH_HOST).get("/p/sports/openapi.json")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_plugin"


@pytest.mark.django_db
def test_a_plugin_without_hostnames_is_served_by_path():
    Plugin.objects.get(slug="sports").hosts.all().delete()
    assert HostClient(SPORTS_HOST).get("/openapi.json").status_code == 404
    response = HostClient(NOAUTH_HOST).get("/p/sports/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Sport Stats"


@pytest.mark.django_db
def test_mounts_turned_off_leave_the_path_to_the_hosts_plugin():
    with with_mounts(PATH_MOUNTS=False):
        response = HostClient(NOAUTH_HOST).get("/p/sports/openapi.json")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_the_prefix_is_a_setting():
    with with_mounts(PATH_PREFIX="plugins"):
        spec = HostClient("localhost:8000").get("/plugins/sports/openapi.json").json()
        assert spec["servers"] == [{"url": f"{BASE}/plugins/sports"}]
        assert HostClient(NOAUTH_HOST).get("/p/sports/openapi.json").status_code == 404


@pytest.mark.django_db
def test_data_is_the_plugins_whichever_form_reaches_it(service_key):
    by_host = HostClient(NOAUTH_HOST)
    by_path = HostClient(SPORTS_HOST)
    added = by_path.json_call("POST", "/p/todo/todos/pathform", {"todo": "one list, two forms"})
    assert added.status_code == 201
    assert by_host.get("/todos/pathform").json() == {"todos": ["one list, two forms"]}
    # Another TODO plugin keeps its own lists, by path as by host.
    service = HostClient(NOAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {service_key}")
    assert service.get("/p/todo-service/todos/pathform").json() == {"todos": []}
    # The sports host's own API is not the TODO API: the path, not the host, chose the plugin.
    assert by_path.get("/todos/pathform").status_code == 404


@pytest.mark.django_db
def test_credentials_of_the_host_do_not_open_the_path_of_another_plugin(alice_key):
    # alice's key is for the user-key plugin; on its host, a path naming the service-key plugin
    # is that plugin, with its own authentication: the key is refused there.
    on_user_host = HostClient(USER_HOST, HTTP_AUTHORIZATION=f"Bearer {alice_key}")
    assert on_user_host.get("/todos/alice").status_code == 200
    refused = on_user_host.get("/p/todo-service/todos/alice")
    assert refused.status_code == 401
    assert set(refused.json()) == {"error", "detail"}
    # The same key opens its own plugin by path, on any host, with the same owner rules.
    on_sports_host = HostClient(SPORTS_HOST, HTTP_AUTHORIZATION=f"Bearer {alice_key}")
    assert on_sports_host.get("/p/todo-user/todos/alice").status_code == 200
    assert on_sports_host.get("/p/todo-user/todos/bob").status_code == 403


@pytest.mark.django_db
def test_a_path_under_a_plugins_path_does_not_mount_twice():
    response = HostClient(NOAUTH_HOST).get("/p/todo/p/sports/openapi.json")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("path", "mount"),
    [
        ("/p/sports/mcp", ("sports", "/p/sports", "/mcp")),
        ("/p/sports", ("sports", "/p/sports", "/")),
        ("/p/sports/", ("sports", "/p/sports", "/")),
        ("/p/a_b-C9/x/y", ("a_b-C9", "/p/a_b-C9", "/x/y")),
        (
            "/.well-known/oauth-protected-resource/p/s/mcp",
            ("s", "/p/s", "/.well-known/oauth-protected-resource/mcp"),
        ),
        (
            "/.well-known/oauth-authorization-server/p/s",
            ("s", "/p/s", "/.well-known/oauth-authorization-server"),
        ),
        ("/p/bad!/x", ("", "/p/", "/x")),
        ("/p", ("", "/p/", "/")),
        ("/pp/sports", None),
        ("/docs/p/sports", None),
        ("/.well-known/ai-plugin.json/p/sports", None),
        ("/", None),
    ],
)
def test_split_mount(path, mount):
    found = split_mount(path)
    assert (found and (found.slug, found.script_name, found.path_info)) == mount


@pytest.mark.parametrize(
    ("base", "resource", "served"),
    [
        ("http://h", "http://h/mcp", True),
        ("http://h", "http://h:80/", True),
        ("http://h", "http://h/p/x/mcp", False),
        ("http://h", "https://h/mcp", False),
        ("http://h", "http://other/mcp", False),
        ("http://h/p/a", "http://h/p/a/mcp", True),
        ("http://h/p/a", "http://h/p/a", True),
        ("http://h/p/a", "http://h/p/ab/mcp", False),
        ("http://h/p/a", "http://h/p/b/mcp", False),
        ("http://h/p/a", "http://h/mcp", False),
        ("http://h/p/a", "http://h/p/a/p/b/mcp", False),
        ("http://h/p/a", "http://h:99999/p/a", False),
    ],
)
def test_serves_resource(base, resource, served):
    assert serves_resource(base, resource) is served


@pytest.mark.django_db
def test_setup_demo_prints_both_forms():
    out, _ = command_output("setup_demo", "--port", "8123")
    assert "    http://sports.localhost:8123/\n" in out
    assert (
        "sports  http://localhost:8123/p/sports/  MCP: http://localhost:8123/p/sports/mcp\n" in out
    )
    for slug in SLUGS:
        assert f"http://localhost:8123/p/{slug}/mcp\n" in out
    with with_mounts(PATH_MOUNTS=False):
        out, _ = command_output("setup_demo", "--port", "8123")
    assert "/p/" not in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "json_rpc"), [("/p/sports/mcp", True), ("/p/todo/todos/a", False)]
)
def test_a_slug_lookup_without_the_database_is_503(database_gone, path, json_rpc):
    forget_host_map()  # the next request must read the plugins from the database
    with database_gone():
        response = HostClient(NOAUTH_HOST).post(path, "{}", content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    if json_rpc:
        assert response.json()["error"]["code"] == JSON_RPC_SERVICE_UNAVAILABLE
    else:
        assert response.json()["error"] == "service_unavailable"


@pytest.mark.django_db
def test_the_admin_by_path_stays_under_the_path():
    answer = HostClient(NOAUTH_HOST).get("/p/sports/admin/")
    assert answer.status_code == 302
    assert answer["Location"] == "/p/sports/admin/login/?next=/p/sports/admin/"
    page = HostClient(NOAUTH_HOST).get("/p/sports/admin/login/").content.decode()
    assert 'action="/p/sports/admin/login/' in page
