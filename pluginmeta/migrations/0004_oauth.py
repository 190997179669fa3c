"""OAuth clients belong to one plugin; the example OAuth plugin gets its scope."""

import django.db.models.deletion
from django.db import migrations, models
from oauth2_provider.settings import oauth2_settings

OAUTH_EXAMPLE_SLUG = "todo-oauth"
OAUTH_EXAMPLE_SCOPE = "todos"


def set_example_scope(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    Plugin.objects.filter(slug=OAUTH_EXAMPLE_SLUG, auth_type="oauth", oauth_scope="").update(
        oauth_scope=OAUTH_EXAMPLE_SCOPE
    )


def unset_example_scope(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    Plugin.objects.filter(slug=OAUTH_EXAMPLE_SLUG, oauth_scope=OAUTH_EXAMPLE_SCOPE).update(
        oauth_scope=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pluginmeta", "0003_keys"),
        migrations.swappable_dependency(oauth2_settings.APPLICATION_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PluginOAuthClient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("application", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="plugin_link", to=oauth2_settings.APPLICATION_MODEL)),
                ("plugin", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="oauth_clients", to="pluginmeta.plugin")),
            ],
            options={"verbose_name": "plugin OAuth client"},
        ),
        migrations.CreateModel(
            name="SpentAuthorizationCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code_checksum", models.CharField(max_length=64, unique=True)),
                ("token_family", models.UUIDField(null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=oauth2_settings.APPLICATION_MODEL)),
            ],
        ),
        migrations.RunPython(set_example_scope, unset_example_scope),
    ]
