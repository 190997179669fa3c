"""Generated OpenAPI documents: valid, per host, with the seed's operationIds."""

import pytest
import yaml
from openapi_spec_validator import validate

from tests.conftest import HostClient

pytestmark = pytest.mark.mutation

TODO_OPERATIONS = {"getTodos", "addTodo", "deleteTodo"}
TODO_HOSTS = ["localhost", "todo-service.localhost", "todo-user.localhost", "todo-oauth.localhost"]


def operations(spec: dict) -> dict[str, dict]:
    return {
        operation["operationId"]: operation
        for path_item in spec["paths"].values()
        for operation in path_item.values()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("host", TODO_HOSTS)
def test_todo_specs_are_valid_and_list_exactly_the_todo_operations(host):
    client = HostClient(host)
    yaml_response = client.get("/openapi.yaml")
    json_response = client.get("/openapi.json")
    assert yaml_response.status_code == json_response.status_code == 200
    assert yaml_response["Content-Type"] == "text/plain; charset=utf-8"
    spec = yaml.safe_load(yaml_response.content)
    assert spec == json_response.json()
    validate(spec)
    assert set(operations(spec)) == TODO_OPERATIONS
    assert list(spec["paths"]) == ["/todos/{username}"]
    assert spec["servers"] == [{"url": f"http://{host}"}]


@pytest.mark.django_db
@pytest.mark.parametrize("host", [*TODO_HOSTS, "sports.localhost"])
def test_operation_texts_stay_within_the_plugin_limit(host):
    spec = HostClient(host).get("/openapi.json").json()
    for operation in operations(spec).values():
        assert len(operation.get("summary", "")) <= 200
        assert len(operation.get("description", "")) <= 200
        for parameter in operation.get("parameters", []):
            assert len(parameter.get("description", "")) <= 200


@pytest.mark.django_db
def test_spec_describes_the_todo_bodies(noauth):
    spec = noauth.get("/openapi.json").json()
    ops = operations(spec)
    schemas = spec["components"]["schemas"]

    def body_schema(op: str) -> dict:
        ref = ops[op]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    assert body_schema("addTodo")["required"] == ["todo"]
    assert body_schema("addTodo")["properties"]["todo"]["type"] == "string"
    assert body_schema("deleteTodo")["properties"]["todo_idx"]["type"] == "integer"
    ok = ops["getTodos"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schemas[ok.rsplit("/", 1)[1]]["properties"]["todos"]["type"] == "array"


@pytest.mark.django_db
def test_no_auth_spec_declares_no_security(noauth):
    spec = noauth.get("/openapi.json").json()
    assert "securitySchemes" not in spec.get("components", {})
    assert all("security" not in op for op in operations(spec).values())


@pytest.mark.django_db
def test_spec_title_follows_the_plugin_row(noauth, noauth_plugin):
    noauth_plugin.name_for_human = "My Todos"
    noauth_plugin.save()
    assert noauth.get("/openapi.json").json()["info"]["title"] == "My Todos"
