"""Creates the demo retrieval plugin on retrieval.localhost (editable in the admin)."""

from django.db import migrations

DESCRIPTION_FOR_MODEL = (
    "Search the signed-in user's documents (notes, emails, files) for passages relevant to a "
    "question, and add, replace or delete documents. Use query when the user asks about their "
    "own documents or knowledge base; quote the passages you use and name their titles."
)


def create_plugin(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    PluginHost = apps.get_model("pluginmeta", "PluginHost")
    plugin, _ = Plugin.objects.get_or_create(
        slug="retrieval",
        defaults={
            "kind": "retrieval",
            "name_for_human": "Retrieval",
            "name_for_model": "retrieval",
            "description_for_human": "Search through your documents.",
            "description_for_model": DESCRIPTION_FOR_MODEL,
            "contact_email": "support@example.com",
            "legal_info_url": "https://example.com/legal",
            "auth_type": "user_http",
            "authorization_type": "bearer",
        },
    )
    PluginHost.objects.get_or_create(hostname="retrieval.localhost", defaults={"plugin": plugin})


def remove_plugin(apps, schema_editor):
    apps.get_model("pluginmeta", "Plugin").objects.filter(slug="retrieval").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retrieval", "0002_keyword_index"),
        ("pluginmeta", "0007_oauth_client_first_authorized"),
    ]

    operations = [migrations.RunPython(create_plugin, remove_plugin)]
