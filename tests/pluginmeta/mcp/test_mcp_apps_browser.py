"""The MCP Apps views in Debian's chromium, inside a web host built with the official AppBridge.

The host page loads each view in the spec's sandbox proxy (another origin, the CSP built from
the resource's _meta.ui.csp), sends it a tool call the model made on the real server (read
with the official SDK client), and runs the view's own tools/call through its backend on the
real /mcp. Each test checks what the view shows, what it asked the host, and what the server
holds afterwards; screenshots go to the test's folder.
"""

import shutil

import pytest

from tests.conftest import NOAUTH_HOST, SPORTS_HOST, USER_HOST
from tests.helpers.mcp_apps import (
    RETRIEVAL_HOST,
    AppsHost,
    chromium_page,
    model_call,
    retrieval_headers,
)
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


def requests_of(page) -> list[str]:
    """Every URL the page and its frames ask for, from now on."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def test_todo_view_shows_the_models_addition_and_adds_and_deletes_through_the_host(
    live, page, tmp_path
):
    owner = "apps-view"
    live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": "water the plants"})
    url, headers = live.mcp_url(NOAUTH_HOST), live.credentials(NOAUTH_HOST)
    shown = model_call(url, headers, "addTodo", {"username": owner, "todo": "buy milk"})
    requested = requests_of(page)

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
        frame.locator("#status", has_text="Added “call mum”").wait_for()
        frame.locator("#todos li button").first.click()  # deletes "water the plants"
        frame.locator("#status", has_text="Deleted “water the plants”").wait_for()
        assert todo_texts(frame) == ["buy milk", "call mum"]
        assert host.calls[1:] == [
            {"name": "addTodo", "arguments": {"username": owner, "todo": "call mum"}},
            {"name": "getTodos", "arguments": {"username": owner}},
            {"name": "deleteTodo", "arguments": {"username": owner, "todo_idx": 0}},
            {"name": "getTodos", "arguments": {"username": owner}},
        ]
        page.locator("#sandbox").screenshot(path=tmp_path / "todo.png")
        # Its policy stands: even a reachable address of this machine is refused to it.
        reach = "url => fetch(url, {mode: 'no-cors'}).then(() => 'fetched', () => 'refused')"
        assert frame.locator("body").evaluate(reach, f"{host.host_origin}/host.html") == "refused"
        # The view loaded nothing: the host's page, its script, the sandbox and its calls.
        assert {request.split("?")[0] for request in requested} == {
            f"{host.host_origin}/host.html",
            f"{host.host_origin}/ext-apps-host.js",
            f"{host.sandbox_origin}/sandbox.html",
            f"{host.host_origin}/tools/call",
        }
    assert live.rest("GET", NOAUTH_HOST, f"/todos/{owner}").json() == {
        "todos": ["buy milk", "call mum"]
    }


def test_todo_view_says_why_the_server_refused_a_call_and_changes_nothing(live, page):
    owner = "apps-refused"
    url = live.mcp_url(NOAUTH_HOST)
    live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": "only one"})
    shown = model_call(url, {}, "getTodos", {"username": owner})
    # Behind the view's back, the list loses its todo: the view's delete names a gone index.
    live.rest("DELETE", NOAUTH_HOST, f"/todos/{owner}", json={"todo_idx": 0})

    with AppsHost(url, {}) as host:
        frame = host.show(page, shown)
        frame.locator("#todos li button").first.click()
        error = frame.locator("#status.error")
        error.wait_for()
        assert error.inner_text() == f"'{owner}' has no todo at index 0."
        assert host.calls == [
            {"name": "deleteTodo", "arguments": {"username": owner, "todo_idx": 0}}
        ]
        assert not frame.locator("#add-button").is_disabled()
    assert live.rest("GET", NOAUTH_HOST, f"/todos/{owner}").json() == {"todos": []}


def test_todo_view_on_a_keyed_host_calls_with_the_hosts_credentials_only(live, page):
    url, headers = live.mcp_url(USER_HOST), live.credentials(USER_HOST)
    key = headers["Authorization"].removeprefix("Bearer ")
    shown = model_call(url, headers, "getTodos", {"username": "alice"})
    assert key not in shown.html

    with AppsHost(url, headers) as host:
        frame = host.show(page, shown)
        frame.locator("#todo").fill("from the view")
        frame.locator("#todo").press("Enter")
        frame.locator("#todos li", has_text="from the view").wait_for()
        assert key not in frame.locator("html").evaluate("node => node.outerHTML")
        assert [call["name"] for call in host.calls] == ["addTodo", "getTodos"]
    todos = live.rest("GET", USER_HOST, "/todos/alice", headers=headers).json()["todos"]
    assert todos[-1] == "from the view"


def first_game_and_player(live) -> tuple[dict, dict]:
    """The demo league's first game, and the first box score of it (a player who played)."""
    game = live.rest("GET", SPORTS_HOST, "/games", params={"per_page": 1}).json()["data"][0]
    params = {"game_ids[]": [game["id"]], "per_page": 1}
    box = live.rest("GET", SPORTS_HOST, "/stats", params=params).json()["data"][0]
    return game, box


def table_rows(frame) -> list[list[str]]:
    rows = frame.locator("#table tbody tr")
    return [row.locator("td").all_inner_texts() for row in rows.all()]


def test_sportstats_card_shows_season_averages_and_pages_through_the_players_games(
    live, page, tmp_path
):
    game, box = first_game_and_player(live)
    player, season = box["player"], game["season"]
    url = live.mcp_url(SPORTS_HOST)
    shown = model_call(
        url, {}, "getSeasonAverages", {"player_ids": [player["id"]], "season": season}
    )
    (averages,) = shown.tool_result["structuredContent"]["data"]
    query = {"player_ids[]": [player["id"]], "seasons[]": [season], "per_page": 10}
    first = live.rest("GET", SPORTS_HOST, "/stats", params=query).json()
    cursor = first["meta"]["next_cursor"]
    second = live.rest("GET", SPORTS_HOST, "/stats", params={**query, "cursor": cursor}).json()

    with AppsHost(url, {}) as host:
        frame = host.show(page, shown)
        name = frame.locator("#player-name")
        name.wait_for()
        assert name.inner_text() == f"{player['first_name']} {player['last_name']}"
        assert frame.locator("[data-stat=PTS] b").inner_text() == f"{averages['pts']:.1f}"
        assert frame.locator("[data-stat=AST] b").inner_text() == f"{averages['ast']:.1f}"
        assert f"{averages['games_played']} games" in frame.locator("#card").inner_text()
        rows = table_rows(frame)
        assert [row[0] for row in rows] == [row["game"]["date"] for row in first["data"]]
        assert [row[4] for row in rows] == [str(row["pts"]) for row in first["data"]]
        assert frame.locator("#prev").is_disabled()
        stats_call = {"player_ids": [player["id"]], "seasons": [season], "per_page": 10}
        assert host.calls == [
            {"name": "getStats", "arguments": stats_call},
            {"name": "getTeams", "arguments": {}},
        ]
        page.locator("#sandbox").screenshot(path=tmp_path / "sportstats.png")

        frame.locator("#next").click()
        frame.locator("#page", has_text="Page 2").wait_for()
        assert [row[0] for row in table_rows(frame)] == [
            row["game"]["date"] for row in second["data"]
        ]
        frame.locator("#prev").click()
        frame.locator("#page", has_text="Page 1").wait_for()
        assert table_rows(frame) == rows
        assert host.calls[2:] == [
            {"name": "getStats", "arguments": {**stats_call, "cursor": cursor}},
            {"name": "getStats", "arguments": stats_call},
        ]


def test_sportstats_games_page_from_the_models_arguments(live, page, tmp_path):
    game, _ = first_game_and_player(live)
    url, arguments = live.mcp_url(SPORTS_HOST), {"seasons": [game["season"]], "per_page": 5}
    shown = model_call(url, {}, "getGames", arguments)
    games = shown.tool_result["structuredContent"]

    with AppsHost(url, {}) as host:
        frame = host.show(page, shown)
        frame.locator("#table tbody tr").first.wait_for()
        rows = table_rows(frame)
        assert [row[0] for row in rows] == [game["date"] for game in games["data"]]
        opener = games["data"][0]
        assert rows[0][1:3] == [
            f"{opener['visitor_team']['abbreviation']} @ {opener['home_team']['abbreviation']}",
            f"{opener['visitor_team_score']}\N{EN DASH}{opener['home_team_score']}",
        ]
        assert host.calls == []  # the first page is the model's
        frame.locator("#next").click()
        frame.locator("#page", has_text="Page 2").wait_for()
        cursor = games["meta"]["next_cursor"]
        assert host.calls == [{"name": "getGames", "arguments": {**arguments, "cursor": cursor}}]
        page.locator("#sandbox").screenshot(path=tmp_path / "sportstats-games.png")


def test_sportstats_players_list_opens_a_players_card(live, page):
    _, box = first_game_and_player(live)
    player = box["player"]
    url, arguments = live.mcp_url(SPORTS_HOST), {"query": player["last_name"], "per_page": 5}
    shown = model_call(url, {}, "getPlayers", arguments)
    listed = shown.tool_result["structuredContent"]["data"]
    averages = live.rest(
        "GET", SPORTS_HOST, "/season_averages", params={"player_ids[]": [player["id"]]}
    ).json()["data"]

    with AppsHost(url, {}) as host:
        frame = host.show(page, shown)
        frame.locator("#table tbody tr").first.wait_for()
        assert frame.locator("#list-title").inner_text() == "Players"
        names = [row[0] for row in table_rows(frame)]
        assert names == [f"{p['first_name']} {p['last_name']}" for p in listed]
        row = frame.locator(
            "#table tbody tr", has_text=f"{player['first_name']} {player['last_name']}"
        )
        row.locator("button").click()
        if averages:  # the current season may not have begun on the day the tests run
            frame.locator("#player-name").wait_for()
            assert frame.locator("[data-stat=PTS] b").inner_text() == f"{averages[0]['pts']:.1f}"
        else:
            frame.locator("#status", has_text="No regular-season games").wait_for()
        assert host.calls[0] == {
            "name": "getSeasonAverages",
            "arguments": {"player_ids": [player["id"]]},
        }


NOTES = [
    {
        "id": "apps-lighthouse",
        "text": "The lighthouse keeper lights the lamp at dusk and logs every passing ship.",
        "metadata": {
            "title": "Lighthouse log",
            "url": "https://example.org/lighthouse",
            "source": "file",
            "author": "Ada Keeper",
            "created_at": "2026-03-01",
        },
    },
    {
        "id": "apps-tides",
        "text": "Harbour tides turn twice a day; the lighthouse lamp guides boats at high tide.",
        "metadata": {"title": "Harbour tides", "source": "email", "author": "Ben Pilot"},
    },
]


def test_retrieval_results_show_their_sources_and_open_a_document(live, page, tmp_path):
    headers = retrieval_headers(live)
    upserted = live.rest(
        "POST", RETRIEVAL_HOST, "/upsert", headers=headers, json={"documents": NOTES}
    )
    assert upserted.status_code == 200, upserted.text
    url = live.mcp_url(RETRIEVAL_HOST)
    shown = model_call(url, headers, "search", {"query": "lighthouse keeper lamp"})
    found = shown.tool_result["structuredContent"]["results"]
    assert found[0]["id"] == "apps-lighthouse"

    with AppsHost(url, headers) as host:
        frame = host.show(page, shown)
        titles = frame.locator("#hits .hit-title")
        titles.first.wait_for()
        assert titles.all_inner_texts() == [hit["title"] for hit in found]
        assert "example.org" in frame.locator("#hits li").first.inner_text()
        assert "for “lighthouse keeper lamp”" in frame.locator("#results-title").inner_text()
        page.locator("#sandbox").screenshot(path=tmp_path / "retrieval-search.png")

        titles.first.click()
        frame.locator("#document-title").wait_for()
        assert frame.locator("#document-title").inner_text() == "Lighthouse log"
        assert frame.locator("#document-text").inner_text() == NOTES[0]["text"]
        assert "Ada Keeper" in frame.locator("dl.meta").inner_text()
        assert host.calls == [{"name": "fetch", "arguments": {"id": "apps-lighthouse"}}]
        page.locator("#sandbox").screenshot(path=tmp_path / "retrieval-document.png")

        frame.locator("dl.meta button", has_text="https://example.org/lighthouse").click()
        page.wait_for_function("window.hostLog.some(m => m.method === 'ui/open-link')")
        links = page.evaluate("window.hostLog.filter(m => m.method === 'ui/open-link')")
        assert links == [{"method": "ui/open-link", "params": {"url": NOTES[0]["metadata"]["url"]}}]
        frame.locator("#back").click()
        assert frame.locator("#results").is_visible()


def test_retrieval_query_shows_chunks_with_their_source_and_score(live, page, tmp_path):
    headers = retrieval_headers(live)
    live.rest("POST", RETRIEVAL_HOST, "/upsert", headers=headers, json={"documents": NOTES})
    url = live.mcp_url(RETRIEVAL_HOST)
    arguments = {"queries": [{"query": "harbour tides", "top_k": 2}]}
    shown = model_call(url, headers, "query", arguments)
    (group,) = shown.tool_result["structuredContent"]["results"]

    with AppsHost(url, headers) as host:
        frame = host.show(page, shown)
        hits = frame.locator("#hits li")
        hits.first.wait_for()
        assert hits.count() == len(group["results"])
        first = hits.first.inner_text()
        assert group["results"][0]["text"] in first
        meters = frame.locator("#hits .meter")
        assert meters.first.get_attribute("title").startswith("score ")
        assert meters.count() == len(group["results"])
        assert "Email" in first and "Ben Pilot" in first
        assert host.calls == []
        page.locator("#sandbox").screenshot(path=tmp_path / "retrieval-query.png")
