"""An oauth plugin needs a scope: those saved without one get their model name as scope."""

from django.db import migrations, models


def give_oauth_plugins_a_scope(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    for plugin in Plugin.objects.filter(auth_type="oauth", oauth_scope=""):
        plugin.oauth_scope = plugin.name_for_model
        plugin.save(update_fields=["oauth_scope"])


class Migration(migrations.Migration):
    dependencies = [
        ("pluginmeta", "0005_distinct_model_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="plugin",
            name="oauth_scope",
            field=models.CharField(
                blank=True,
                help_text="OAuth only, and required there: the scopes (separated by spaces) "
                "that every token for this plugin carries.",
                max_length=200,
            ),
        ),
        # Nothing to undo: the scopes given are valid either way.
        migrations.RunPython(give_oauth_plugins_a_scope, migrations.RunPython.noop),
    ]
