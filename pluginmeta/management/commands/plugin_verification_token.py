"""plugin_verification_token HOST TOKEN: store the token ChatGPT shows during plugin set-up."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pluginmeta.auth import services as keys


class Command(BaseCommand):
    """Stores the token on the plugin; its manifest serves it as auth.verification_tokens.openai."""

    help = (
        "Store the verification token ChatGPT shows after you enter a service key "
        "(service_http plugins) or an OAuth client (oauth plugins). Keys and clients are left "
        "as they are."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="A hostname of the plugin, e.g. todo-oauth.localhost.")
        parser.add_argument("token", help="The verification token ChatGPT shows.")

    def handle(self, *args, host: str, token: str, **options) -> None:
        if not token.strip():
            raise CommandError("The token is empty; paste the one ChatGPT shows.")
        try:
            plugin = keys.plugin_for_host(host)
            plugin.set_verification_token(token)
        except keys.KeySetupError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(f"{plugin.slug}: {' '.join(exc.messages)}") from None
        self.stdout.write(f"Stored the verification token of {plugin.slug}.")
