"""OAuth clients record when they were first issued a token; self-registered public clients keep
no secret."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef
from django.utils import timezone


def mark_clients_with_tokens(apps, schema_editor):
    PluginOAuthClient = apps.get_model("pluginmeta", "PluginOAuthClient")
    AccessToken = apps.get_model("oauth2_provider", "AccessToken")
    RefreshToken = apps.get_model("oauth2_provider", "RefreshToken")
    PluginOAuthClient.objects.filter(
        Exists(AccessToken.objects.filter(application_id=OuterRef("application_id")))
        | Exists(RefreshToken.objects.filter(application_id=OuterRef("application_id")))
    ).update(first_authorized_at=timezone.now())


def drop_public_client_secrets(apps, schema_editor):
    Application = apps.get_model("oauth2_provider", "Application")
    Application.objects.filter(client_type="public", registration_source="dcr").update(
        client_secret="", hash_client_secret=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pluginmeta", "0006_oauth_scope_required"),
        ("oauth2_provider", "0022_refreshtoken_token_family_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="pluginoauthclient",
            name="first_authorized_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        # Neither step can be undone, and neither needs to be: the column goes on the way back.
        migrations.RunPython(mark_clients_with_tokens, migrations.RunPython.noop),
        migrations.RunPython(drop_public_client_secrets, migrations.RunPython.noop),
    ]
