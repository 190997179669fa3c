"""The admin lists, filters, searches and edits todos."""

import pytest

from pluginmeta.models import Plugin
from todos.models import Todo


@pytest.fixture
def todos(db):
    todo = Plugin.objects.get(slug="todo")
    service = Plugin.objects.get(slug="todo-service")
    Todo.objects.create(plugin=todo, owner="alice", text="alice on noauth")
    Todo.objects.create(plugin=todo, owner="bob", text="bob on noauth")
    Todo.objects.create(plugin=service, owner="alice", text="alice on service")
    return todo, service


def changelist(admin_client, query: str = "") -> str:
    response = admin_client.get(f"/admin/todos/todo/{query}", HTTP_HOST="localhost")
    assert response.status_code == 200
    return response.content.decode()


def test_changelist_filters_by_plugin(admin_client, todos):
    _, service = todos
    html = changelist(admin_client, f"?plugin__id__exact={service.pk}")
    assert "alice on service" in html
    assert "alice on noauth" not in html


def test_changelist_searches_by_owner(admin_client, todos):
    html = changelist(admin_client, "?q=bob")
    assert "bob on noauth" in html
    assert "alice on noauth" not in html


def test_admin_edits_a_todo(admin_client, todos):
    todo = Todo.objects.get(text="bob on noauth")
    response = admin_client.post(
        f"/admin/todos/todo/{todo.pk}/change/",
        {"plugin": todo.plugin_id, "owner": "bob", "text": "edited"},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    todo.refresh_from_db()
    assert todo.text == "edited"


def test_plugin_admin_lists_hostnames(admin_client, db):
    response = admin_client.get("/admin/pluginmeta/plugin/", HTTP_HOST="sports.localhost")
    assert response.status_code == 200
    assert "todo-oauth.localhost" in response.content.decode()


def test_admin_requires_login(client, db):
    response = client.get("/admin/todos/todo/", HTTP_HOST="localhost")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
