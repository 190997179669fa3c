"""What ChatGPT reads: manifest auth objects and the bearer security of the generated spec."""

import ast
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from tests.conftest import NOAUTH_HOST, SERVICE_HOST, USER_HOST, HostClient

pytestmark = pytest.mark.mutation

OPERATIONS = {"getTodos", "addTodo", "deleteTodo"}


def spec(host: str, path: str = "/openapi.json") -> dict:
    response = HostClient(host).get(path)
    assert response.status_code == 200
    return yaml.safe_load(response.content) if path.endswith(".yaml") else response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("host", [SERVICE_HOST, USER_HOST])
@pytest.mark.parametrize("path", ["/openapi.json", "/openapi.yaml"])
def test_key_hosts_declare_and_apply_a_bearer_scheme(host, path):
    document = spec(host, path)
    validate(document)
    schemes = document["components"]["securitySchemes"]
    assert schemes == {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    seen = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"bearerAuth": []}]
            assert "401" in operation["responses"]
            seen.add(operation["operationId"])
    assert seen == OPERATIONS


@pytest.mark.django_db
def test_the_no_auth_host_declares_no_security():
    document = spec(NOAUTH_HOST)
    assert "securitySchemes" not in document.get("components", {})
    for operations in document["paths"].values():
        for operation in operations.values():
            assert not operation.get("security")


@pytest.mark.django_db
def test_user_http_manifest_auth_is_exactly_the_spec():
    manifest = HostClient(USER_HOST).get("/.well-known/ai-plugin.json").json()
    assert manifest["auth"] == {"type": "user_http", "authorization_type": "bearer"}


@pytest.mark.django_db
def test_service_http_manifest_auth_is_exactly_the_spec(service_plugin):
    service_plugin.verification_token = "abc123"
    service_plugin.save()
    manifest = HostClient(SERVICE_HOST).get("/.well-known/ai-plugin.json").json()
    assert manifest["auth"] == {
        "type": "service_http",
        "authorization_type": "bearer",
        "verification_tokens": {"openai": "abc123"},
    }


PLUGINMETA = Path(__file__).resolve().parents[3] / "pluginmeta"
AUTH_MODULES = sorted(
    str(path.relative_to(PLUGINMETA))
    for path in [*(PLUGINMETA / "auth").rglob("*.py"), PLUGINMETA / "models" / "keys.py"]
)


@pytest.mark.parametrize("name", AUTH_MODULES)
def test_no_assert_in_any_auth_path(name):
    # `python -O` strips asserts; a check made with one would let every request in.
    source = (PLUGINMETA / name).read_text()
    asserts = [node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assert)]
    assert asserts == []
