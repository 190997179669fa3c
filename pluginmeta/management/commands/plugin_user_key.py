"""Issue a user_http key for a user, creating the user if needed."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pluginmeta.auth import services as keys


class Command(BaseCommand):
    """Prints a new key for USERNAME on its last line."""

    help = (
        "Create USERNAME if needed and print a new key for the user_http plugin on its last "
        "line. --host picks the plugin; it may be left out when there is only one."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--host", help="A hostname of the user_http plugin.")
        parser.add_argument("--name", default="", help="A label for the key (shown in admin).")

    def handle(self, *args, username: str, host: str | None, name: str, **options) -> None:
        try:
            plugin = keys.plugin_for_host(host) if host else keys.single_user_http_plugin()
            # A refused key must not leave a new user behind.
            with transaction.atomic():
                user, created = keys.get_or_create_user(username)
                key_row, key = keys.create_user_key(user, plugin, name=name)
        except keys.KeySetupError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if created:
            self.stderr.write(f"Created user {username!r} (no password; sign-in by key only).")
        self.stderr.write(
            f"New key {key_row.prefix}... for {username!r} on {plugin.slug}; it is shown only now."
        )
        self.stdout.write(key)
