"""plugin_service_key and plugin_user_key: keys printed once on the last line, stored as hashes."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from pluginmeta.models.keys import ServiceKey, UserKey
from tests.conftest import NOAUTH_HOST, SERVICE_HOST, USER_HOST, HostClient, make_plugin
from tests.pluginmeta.conftest import KEY_PATTERN, command_output, keyed, last_line, run_command

pytestmark = pytest.mark.mutation


@pytest.mark.django_db
def test_service_key_is_printed_on_the_last_line_and_only_its_hash_is_stored(service_plugin):
    lines = run_command("plugin_service_key", SERVICE_HOST)
    key = lines[-1]
    assert KEY_PATTERN.fullmatch(key)
    row = ServiceKey.objects.get(plugin=service_plugin)
    assert key.startswith(row.prefix + ".")
    assert row.hashed_key.startswith("sha512$$")
    assert key not in row.hashed_key and key.split(".")[1] not in row.pk


@pytest.mark.django_db
def test_a_new_service_key_replaces_the_old_one(service_plugin):
    first = last_line("plugin_service_key", SERVICE_HOST)
    second = last_line("plugin_service_key", SERVICE_HOST.upper())
    assert first != second
    assert ServiceKey.objects.filter(plugin=service_plugin).count() == 1
    assert ServiceKey.objects.get().prefix == second.split(".")[0]


@pytest.mark.django_db
def test_verification_token_goes_to_the_manifest_and_keeps_the_key(service_key, service):
    manifest = HostClient(SERVICE_HOST).get("/.well-known/ai-plugin.json").json()
    assert manifest["auth"] == {
        "type": "service_http",
        "authorization_type": "bearer",
        "verification_tokens": {},
    }
    assert run_command("plugin_service_key", SERVICE_HOST, "--verification-token", "tok_123") == []
    manifest = HostClient(SERVICE_HOST).get("/.well-known/ai-plugin.json").json()
    assert manifest["auth"] == {
        "type": "service_http",
        "authorization_type": "bearer",
        "verification_tokens": {"openai": "tok_123"},
    }
    # Storing the token must not break the key ChatGPT already has.
    assert service.get("/todos/global").status_code == 200


@pytest.mark.django_db
def test_verification_token_with_rotate_also_issues_a_key(service, service_plugin):
    key = last_line("plugin_service_key", SERVICE_HOST, "--verification-token", "t2", "--rotate")
    assert KEY_PATTERN.fullmatch(key)
    assert service.get("/todos/global").status_code == 401
    assert keyed(SERVICE_HOST, key).get("/todos/global").status_code == 200
    service_plugin.refresh_from_db()
    assert service_plugin.verification_token == "t2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "message"),
    [
        (NOAUTH_HOST, "todo uses auth type none, not service_http."),
        (USER_HOST, "todo-user uses auth type user_http, not service_http."),
        ("nowhere.localhost", "No plugin is served on 'nowhere.localhost'."),
    ],
)
def test_service_key_refuses_hosts_that_are_not_service_http(host, message):
    with pytest.raises(CommandError) as refusal:
        run_command("plugin_service_key", host)
    assert str(refusal.value) == message
    assert not ServiceKey.objects.exists()


@pytest.mark.django_db
def test_an_over_long_verification_token_is_refused(service_plugin):
    with pytest.raises(CommandError):
        run_command("plugin_service_key", SERVICE_HOST, "--verification-token", "x" * 201)


@pytest.mark.django_db
def test_user_key_creates_the_user_and_prints_the_key_last(user_plugin):
    user_model = get_user_model()
    assert not user_model.objects.filter(username="carol").exists()
    out, told = command_output("plugin_user_key", "carol")
    key = out.splitlines()[-1]
    carol = user_model.objects.get(username="carol")
    assert not carol.has_usable_password()
    assert KEY_PATTERN.fullmatch(key)
    row = UserKey.objects.get(user=carol)
    assert row.plugin == user_plugin and not row.revoked
    assert row.name == "key"  # the label when none is given
    assert key not in row.hashed_key + row.pk
    assert "Created user 'carol' (no password; sign-in by key only)." in told
    assert f"New key {row.prefix}... for 'carol' on todo-user" in told


@pytest.mark.django_db
def test_user_key_reuses_an_existing_user_and_keys_are_independent(user_plugin):
    first = last_line("plugin_user_key", "dave", "--name", "laptop")
    out, told = command_output("plugin_user_key", "dave", "--host", USER_HOST, "--name", "n" * 50)
    second = out.splitlines()[-1]
    assert first != second
    assert "Created user" not in told
    assert get_user_model().objects.filter(username="dave").count() == 1
    names = UserKey.objects.filter(user__username="dave").values_list("name", flat=True)
    assert sorted(names) == ["laptop", "n" * 50]
    for key in (first, second):
        assert keyed(USER_HOST, key).get("/todos/dave").status_code == 200


@pytest.mark.django_db
def test_user_key_needs_host_when_several_user_http_plugins_exist(user_plugin):
    make_plugin("other-user", "other-user.localhost", "user_http")
    with pytest.raises(CommandError) as refusal:
        run_command("plugin_user_key", "erin")
    assert str(refusal.value) == "There are several user_http plugins; name one with --host."
    assert KEY_PATTERN.fullmatch(last_line("plugin_user_key", "erin", "--host", USER_HOST))


@pytest.mark.django_db
def test_user_key_without_host_and_without_a_user_http_plugin_says_so(user_plugin):
    user_plugin.delete()
    with pytest.raises(CommandError) as refusal:
        run_command("plugin_user_key", "erin")
    assert str(refusal.value) == "There are no user_http plugins; name one with --host."
    assert not get_user_model().objects.filter(username="erin").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["frank", "--host", SERVICE_HOST],
            "todo-service uses auth type service_http, not user_http.",
        ),
        (["frank", "--host", "nowhere.localhost"], "No plugin is served on 'nowhere.localhost'."),
        (
            ["bad name!", "--host", USER_HOST],
            "Enter a valid username. This value may contain only letters, numbers, and "
            "@/./+/-/_ characters.",
        ),
        (["frank", "--name", "n" * 51], "A key name has at most 50 characters."),
    ],
)
def test_user_key_refusals(user_plugin, args, message):
    with pytest.raises(CommandError) as refusal:
        run_command("plugin_user_key", *args)
    assert str(refusal.value) == message
    assert not UserKey.objects.exists()
    assert not get_user_model().objects.filter(username="frank").exists()


@pytest.mark.django_db
def test_user_key_refuses_an_inactive_user(user_plugin):
    get_user_model().objects.create_user("gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        run_command("plugin_user_key", "gone")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given", [f"{SERVICE_HOST}:8000", f"http://{SERVICE_HOST}", f"https://{SERVICE_HOST}:8000/mcp"]
)
def test_service_key_given_a_url_names_the_hostname_to_give(service_plugin, given):
    with pytest.raises(CommandError) as refusal:
        run_command("plugin_service_key", given)
    assert str(refusal.value) == (
        f"No plugin is served on {given!r}: give the hostname alone, without scheme, port or "
        f"path: {SERVICE_HOST}"
    )
    assert not ServiceKey.objects.exists()


@pytest.mark.django_db
def test_user_key_given_a_url_names_the_hostname_to_give(user_plugin):
    with pytest.raises(CommandError, match=f"port or path: {USER_HOST}$"):
        run_command("plugin_user_key", "frank", "--host", f"http://{USER_HOST}:8000")
    assert not UserKey.objects.exists()
    assert not get_user_model().objects.filter(username="frank").exists()
