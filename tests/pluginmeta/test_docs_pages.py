"""Swagger UI at /docs and ReDoc at /redoc on every host, with assets from this server only."""

import re
from html.parser import HTMLParser

import pytest
import requests

from tests.conftest import ALL_HOSTS, HostClient
from tests.server import migrate, running_server, scratch_database, server_env

pytestmark = pytest.mark.django_db

EXTERNAL_URL = re.compile(r"(?:https?:)?//[^\s\"'<>]+", re.IGNORECASE)


class LinkCollector(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.links += [value for name, value in attrs if name in {"src", "href"} and value]


def links_of(html: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(html)
    return collector.links


@pytest.mark.parametrize("host", ALL_HOSTS)
@pytest.mark.parametrize(
    ("path", "loader"),
    [("/docs", 'url: "/openapi.json"'), ("/redoc", '<redoc spec-url="/openapi.json">')],
)
def test_docs_pages_load_the_hosts_own_spec_without_credentials(host, path, loader):
    response = HostClient(host).get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert loader in html
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "img-src 'self' data:;" in policy


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_reference_nothing_outside_this_server(path):
    html = HostClient("todo-oauth.localhost").get(path).content.decode()
    assert EXTERNAL_URL.findall(html) == []
    assets = [link for link in links_of(html) if link.startswith("/static/")]
    assert assets, "the page loads no script from this server"
    for asset in assets:
        response = HostClient("todo-oauth.localhost").get(asset)
        assert response.status_code == 200, asset


def test_swagger_ui_is_titled_after_the_plugin_and_serves_its_own_bundle():
    html = HostClient("sports.localhost").get("/docs").content.decode()
    assert "<title>Sport Stats: API docs</title>" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in links_of(html)
    assert '"validatorUrl": null' in html


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/"])
def test_head_answers_like_get(path):
    client = HostClient("todo-user.localhost")
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]


def test_the_landing_page_links_the_docs():
    links = links_of(HostClient("localhost").get("/").content.decode())
    assert "/docs" in links
    assert "/redoc" in links


def test_openapi_yaml_is_shown_by_a_browser_not_downloaded():
    response = HostClient("sports.localhost").get("/openapi.yaml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="openapi.yaml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"openapi: 3.")


def test_every_landing_page_link_works_over_http_whatever_port_the_visitor_used(tmp_path):
    # The browser asked for http://sports.localhost:<port>/, while the Host header may name the
    # host alone (behind a proxy, or `curl -H 'Host: sports.localhost'`): links must follow
    # the address the browser used.
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url)
        migrate(env)
        with running_server(env) as base:
            port = base.rsplit(":", 1)[1]
            page_url = f"http://sports.localhost:{port}/"
            for host_header in [f"sports.localhost:{port}", "sports.localhost"]:
                page = requests.get(base + "/", headers={"Host": host_header}, timeout=30)
                assert page.status_code == 200
                local = [
                    link
                    for link in links_of(page.text)
                    if not link.startswith(("mailto:", "https://example.com"))
                ]
                assert len(local) >= 6
                for link in local:
                    url = requests.compat.urljoin(page_url, link)
                    assert url.startswith(page_url), f"{link} leaves {page_url}"
                    path = url.removeprefix(page_url.rstrip("/"))
                    answer = requests.get(
                        base + path, headers={"Host": f"sports.localhost:{port}"}, timeout=30
                    )
                    assert answer.status_code == 200, link


@pytest.mark.parametrize("host", ALL_HOSTS)
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_options_answers_200_with_allow_and_no_body(host, path):
    response = HostClient(host).options(path)
    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""
    assert "Content-Type" not in response


@pytest.mark.parametrize("host", ALL_HOSTS)
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_get_405_json_with_allow(host, path, method):
    response = getattr(HostClient(host), method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {
        "error": "method_not_allowed",
        "detail": "This method is not allowed here.",
    }
