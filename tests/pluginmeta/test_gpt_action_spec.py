"""What a GPT Action imports: an OpenAPI 3.1 document with explicit consequential flags."""

import importlib

import pytest
from django.apps import apps
from openapi_spec_validator import OpenAPIV31SpecValidator

from pluginmeta.models import Plugin
from tests.conftest import ALL_HOSTS, NOAUTH_HOST, HostClient

# What each operation does to the user's data; GPT Actions ask before consequential ones.
CONSEQUENTIAL = {
    "getTodos": False,
    "addTodo": True,
    "deleteTodo": True,
    "getPlayers": False,
    "getTeams": False,
    "getGames": False,
    "getStats": False,
    "getSeasonAverages": False,
}


def spec_of(host: str) -> dict:
    response = HostClient(host).get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict) -> dict[str, dict]:
    return {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for operation in item.values()
    }


def keys_anywhere(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {key for value in node.values() for key in keys_anywhere(value)}
    if isinstance(node, list):
        return {key for value in node for key in keys_anywhere(value)}
    return set()


@pytest.mark.django_db
@pytest.mark.parametrize("host", ALL_HOSTS)
def test_every_spec_is_valid_openapi_3_1(host):
    spec = spec_of(host)
    assert spec["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(spec).validate()
    # 3.1 says "type": [..., "null"]; the 3.0 keyword must not linger.
    assert "nullable" not in keys_anywhere(spec)


@pytest.mark.django_db
def test_the_yaml_spec_is_3_1_too():
    body = HostClient(NOAUTH_HOST).get("/openapi.yaml").content.decode()
    assert body.startswith("openapi: 3.1.0\n")


@pytest.mark.django_db
@pytest.mark.parametrize("host", ALL_HOSTS)
def test_every_operation_says_whether_it_is_consequential(host):
    found = operations(spec_of(host))
    assert found
    for operation_id, operation in found.items():
        assert operation["x-openai-isConsequential"] is CONSEQUENTIAL[operation_id], operation_id


@pytest.mark.django_db
def test_null_fields_are_type_arrays_in_the_sports_spec():
    schemas = spec_of("sports.localhost")["components"]["schemas"]
    nullable_types = [
        prop["type"]
        for schema in schemas.values()
        for prop in schema.get("properties", {}).values()
        if isinstance(prop.get("type"), list)
    ]
    assert nullable_types
    assert all("null" in types for types in nullable_types)


@pytest.mark.django_db
def test_delete_todo_keeps_its_request_body():
    delete = operations(spec_of(NOAUTH_HOST))["deleteTodo"]
    schema = delete["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/DeleteTodoRequest")


@pytest.mark.django_db
def test_a_whole_float_index_is_the_integer_it_equals(noauth):
    # JSON Schema counts 1.0 as an integer, so a 3.1 client may send it for todo_idx.
    for text in ["milk", "eggs", "bread"]:
        noauth.json_call("post", "/todos/floaty", {"todo": text})
    response = noauth.json_call("delete", "/todos/floaty", {"todo_idx": 1.0})
    assert response.status_code == 200
    assert response.json() == {"todo": "eggs", "todo_idx": 1}
    assert noauth.get("/todos/floaty").json() == {"todos": ["milk", "bread"]}


@pytest.mark.django_db
def test_each_todo_plugin_has_its_own_name_for_model():
    names = {
        host: HostClient(host).get("/.well-known/ai-plugin.json").json()["name_for_model"]
        for host in ["localhost", "todo-service.localhost", "todo-user.localhost"]
    }
    assert names == {
        "localhost": "todo",
        "todo-service.localhost": "todo_service",
        "todo-user.localhost": "todo_user",
    }
    every_name = list(Plugin.objects.values_list("name_for_model", flat=True))
    assert len(every_name) == len(set(every_name))


@pytest.mark.django_db
def test_the_renaming_migration_keeps_names_set_in_the_admin():
    migration = importlib.import_module("pluginmeta.migrations.0005_distinct_model_names")
    Plugin.objects.filter(slug="todo-service").update(name_for_model="todo")
    Plugin.objects.filter(slug="todo-user").update(name_for_model="my_todos")
    migration.rename(apps, schema_editor=None)
    names = dict(Plugin.objects.values_list("slug", "name_for_model"))
    assert names["todo-service"] == "todo_service"
    assert names["todo-user"] == "my_todos"
    assert names["todo"] == "todo"
