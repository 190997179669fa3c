"""Fixtures for the key auth types: plugins, keys issued by the real commands, keyed clients."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from pluginmeta.models import Plugin, PluginHost
from tests.conftest import NOAUTH_HOST, SERVICE_HOST, USER_HOST, HostClient

KEY_PATTERN = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


def run_command(*args) -> list[str]:
    """Runs a management command and returns its stdout lines."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def last_line(*args) -> str:
    return run_command(*args)[-1]


def keyed(host: str, key: str, scheme: str = "Bearer") -> HostClient:
    """A client for host that sends "Authorization: <scheme> <key>" on every request."""
    return HostClient(host, HTTP_AUTHORIZATION=f"{scheme} {key}")


def make_plugin(slug: str, hostname: str, auth_type: str) -> Plugin:
    """Another TODO plugin of the given auth type on its own host."""
    plugin = Plugin.objects.create(
        slug=slug,
        kind="todo",
        name_for_human=slug[:20],
        name_for_model="todo",
        description_for_human="A TODO list.",
        description_for_model="A TODO list.",
        contact_email="ops@example.com",
        legal_info_url="https://example.com/legal",
        auth_type=auth_type,
        authorization_type="bearer" if auth_type != "none" else "",
    )
    PluginHost.objects.create(plugin=plugin, hostname=hostname)
    return plugin


@pytest.fixture
def service_plugin(db) -> Plugin:
    return Plugin.objects.get(hosts__hostname=SERVICE_HOST)


@pytest.fixture
def user_plugin(db) -> Plugin:
    return Plugin.objects.get(hosts__hostname=USER_HOST)


@pytest.fixture
def service_key(service_plugin) -> str:
    return last_line("plugin_service_key", SERVICE_HOST)


@pytest.fixture
def service(service_key) -> HostClient:
    return keyed(SERVICE_HOST, service_key)


@pytest.fixture
def user_key(user_plugin):
    """Factory: user_key("alice") -> a new key for alice on todo-user.localhost."""

    def make(username: str, *extra: str) -> str:
        return last_line("plugin_user_key", username, *extra)

    return make


@pytest.fixture
def alice_key(user_key) -> str:
    return user_key("alice")


@pytest.fixture
def bob_key(user_key) -> str:
    return user_key("bob")


@pytest.fixture
def alice(alice_key) -> HostClient:
    return keyed(USER_HOST, alice_key)


@pytest.fixture
def bob(bob_key) -> HostClient:
    return keyed(USER_HOST, bob_key)


@pytest.fixture
def noauth_client(db) -> HostClient:
    return HostClient(NOAUTH_HOST)


@pytest.fixture
def admin_client_on(db):
    """Factory: a logged-in superuser client on a host."""

    def make(host: str = NOAUTH_HOST) -> HostClient:
        user_model = get_user_model()
        admin = user_model.objects.filter(username="root").first()
        if admin is None:
            admin = user_model.objects.create_superuser("root", "root@example.com", "x" * 20)
        client = HostClient(host)
        client.force_login(admin)
        return client

    return make
