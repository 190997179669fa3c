"""remove_unused_oauth_clients: deletes self-registered OAuth clients never issued a token."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pluginmeta.auth.oauth.housekeeping import remove_unused_clients


class Command(BaseCommand):
    """Prints one line per removed client on stdout, and the count on stderr; meant for cron."""

    help = (
        "Delete the OAuth clients that registered themselves at /oauth/register more than "
        "--hours ago (default OAUTH_UNUSED_CLIENT_HOURS) and were never issued a token. "
        "Clients made with register_chatgpt_client or in the admin are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="Age in hours after which an unused client goes "
            "(default: OAUTH_UNUSED_CLIENT_HOURS, 24).",
        )

    def handle(self, *args, hours: int | None, **options) -> None:
        hours = settings.OAUTH_UNUSED_CLIENT_HOURS if hours is None else hours
        if hours < 0:
            raise CommandError("--hours must be 0 or more.")
        removed = remove_unused_clients(timedelta(hours=hours))
        for client in removed:
            self.stdout.write(
                f"{client.client_id} {client.plugin_slug} "
                f"{client.registered_at.isoformat(timespec='seconds')} {client.name}"
            )
        self.stderr.write(
            f"Removed {len(removed)} self-registered client(s) never issued a token, "
            f"registered more than {hours} hour(s) ago."
        )
