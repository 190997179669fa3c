"""The MCP Apps views in Debian's chromium, inside a web host built with the official AppBridge.

The host page loads each view in the spec's sandbox proxy (another origin, the CSP built from
the resource's _meta.ui.csp), sends it a tool call the model made on the real server (read
with the official SDK client), and runs the view's own tools/call through its backend on the
real /mcp. Each test checks what the view shows, what it asked the host, and what the server
holds afterwards; screenshots go to the test's folder.
"""

import shutil

import pytest

from tests.conftest import NOAUTH_HOST
from tests.helpers.mcp_apps import AppsHost, chromium_page, model_call
from tests.pluginmeta.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it",
)


@pytest.fixture
def page():
    pytest.importorskip("playwright.sync_api")
    with chromium_page() as page:
        yield page


def todo_texts(frame) -> list[str]:
    return frame.locator("#todos li .text").all_inner_texts()


def test_todo_view_shows_the_models_addition_and_adds_and_deletes_through_the_host(
    live, page, tmp_path
):
    owner = "apps-view"
    live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": "water the plants"})
    url, headers = live.mcp_url(NOAUTH_HOST), live.credentials(NOAUTH_HOST)
    shown = model_call(url, headers, "addTodo", {"username": owner, "todo": "buy milk"})

    with AppsHost(url, headers) as host:
        frame = host.show(page, shown)
        # The model's addTodo answers one todo: the view reads the list back, the new one marked.
        frame.locator("#todos li.fresh").wait_for()
        assert todo_texts(frame) == ["water the plants", "buy milk"]
        assert frame.locator("#todos li.fresh .text").inner_text() == "buy milk"
        assert host.calls == [{"name": "getTodos", "arguments": {"username": owner}}]
        page.locator("#sandbox").screenshot(path=tmp_path / "todo-after-model.png")

        frame.locator("#todo").fill("call mum")
        frame.locator("#add-button").click()
        frame.locator("#todos li", has_text="call mum").wait_for()
        frame.locator("#todos li button").first.click()  # deletes "water the plants"
        frame.locator("#status", has_text="Deleted").wait_for()
        assert todo_texts(frame) == ["buy milk", "call mum"]
        assert host.calls[1:] == [
            {"name": "addTodo", "arguments": {"username": owner, "todo": "call mum"}},
            {"name": "getTodos", "arguments": {"username": owner}},
            {"name": "deleteTodo", "arguments": {"username": owner, "todo_idx": 0}},
            {"name": "getTodos", "arguments": {"username": owner}},
        ]
        page.locator("#sandbox").screenshot(path=tmp_path / "todo.png")
    assert live.rest("GET", NOAUTH_HOST, f"/todos/{owner}").json() == {
        "todos": ["buy milk", "call mum"]
    }
