"""Gives the service-key and user-key TODO plugins their own name_for_model.

ChatGPT (and a GPT with several actions) tells plugins apart by name_for_model, so three
TODO plugins all called "todo" could not be installed side by side. The no-auth one keeps
"todo". A name already changed in the admin is left as it is.
"""

from django.db import migrations

NEW_NAMES = {"todo-service": "todo_service", "todo-user": "todo_user"}
OLD_NAME = "todo"


def rename(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    for slug, name in NEW_NAMES.items():
        Plugin.objects.filter(slug=slug, name_for_model=OLD_NAME).update(name_for_model=name)


def restore(apps, schema_editor):
    Plugin = apps.get_model("pluginmeta", "Plugin")
    for slug, name in NEW_NAMES.items():
        Plugin.objects.filter(slug=slug, name_for_model=name).update(name_for_model=OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [("pluginmeta", "0004_oauth")]

    operations = [migrations.RunPython(rename, restore)]
