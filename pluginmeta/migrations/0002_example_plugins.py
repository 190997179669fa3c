"""Creates the example plugins of README.md and their local hostnames (editable in the admin)."""

from django.db import migrations

TODO_DESCRIPTION = "Manage your TODO list. You can add, remove and view your TODOs."
TODO_FOR_MODEL = (
    "Plugin for managing a TODO list, you can add, remove and view your TODOs. "
    "If you do not know the user's username, ask them first before making queries to the "
    "plugin. Otherwise, use the username \"global\"."
)
TODO_FOR_MODEL_SIGNED_IN = (
    "Plugin for managing the signed-in user's TODO list: you can add, remove and view "
    "their TODOs. Use the user's own username in the path."
)

EXAMPLES = [
    {
        "slug": "todo",
        "kind": "todo",
        "hosts": ["localhost", "127.0.0.1"],
        "name_for_human": "TODO List (No Auth)",
        "name_for_model": "todo",
        "description_for_human": TODO_DESCRIPTION,
        "description_for_model": TODO_FOR_MODEL,
        "auth_type": "none",
    },
    {
        "slug": "todo-service",
        "kind": "todo",
        "hosts": ["todo-service.localhost"],
        "name_for_human": "TODO (service auth)",
        "name_for_model": "todo",
        "description_for_human": TODO_DESCRIPTION,
        "description_for_model": TODO_FOR_MODEL,
        "auth_type": "service_http",
        "authorization_type": "bearer",
    },
    {
        "slug": "todo-user",
        "kind": "todo",
        "hosts": ["todo-user.localhost"],
        "name_for_human": "TODO (user keys)",
        "name_for_model": "todo",
        "description_for_human": TODO_DESCRIPTION,
        "description_for_model": TODO_FOR_MODEL_SIGNED_IN,
        "auth_type": "user_http",
        "authorization_type": "bearer",
    },
    {
        "slug": "todo-oauth",
        "kind": "todo",
        "hosts": ["todo-oauth.localhost"],
        "name_for_human": "TODO List (OAuth)",
        "name_for_model": "todo_oauth",
        "description_for_human": TODO_DESCRIPTION,
        "description_for_model": TODO_FOR_MODEL_SIGNED_IN,
        "auth_type": "oauth",
    },
    {
        "slug": "sports",
        "kind": "sportstats",
        "hosts": ["sports.localhost"],
        "name_for_human": "Sport Stats",
        "name_for_model": "sportStats",
        "description_for_human": "Get current and historical stats for sport players and games.",
        "description_for_model": (
            "Get current and historical stats for sport players and games. "
            "Always display results using markdown tables."
        ),
        "auth_type": "none",
    },
]


def create_examples(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    PluginHost = apps.get_model("pluginmeta", "PluginHost")
    for example in EXAMPLES:
        fields = {k: v for k, v in example.items() if k not in {"slug", "hosts"}}
        fields.setdefault("contact_email", "support@example.com")
        fields.setdefault("legal_info_url", "https://example.com/legal")
        plugin, _ = Plugin.objects.get_or_create(slug=example["slug"], defaults=fields)
        for hostname in example["hosts"]:
            PluginHost.objects.get_or_create(hostname=hostname, defaults={"plugin": plugin})


def remove_examples(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    Plugin.objects.filter(slug__in=[e["slug"] for e in EXAMPLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pluginmeta", "0001_initial")]

    operations = [migrations.RunPython(create_examples, remove_examples)]
