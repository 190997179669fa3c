"""Issue or rotate a service_http plugin's key, or store the verification token ChatGPT gives."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pluginmeta.auth import services as keys


class Command(BaseCommand):
    """Prints a new service key on its last line, or stores --verification-token."""

    help = (
        "Generate a new service key for the service_http plugin on HOST (replacing the old "
        "one) and print it once on the last line; with --verification-token, store ChatGPT's "
        "verification token instead and leave the key alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="A hostname of the plugin, e.g. todo-service.localhost.")
        parser.add_argument(
            "--verification-token",
            help="The token ChatGPT shows after you enter the key; goes in the manifest.",
        )
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="With --verification-token, also issue a new key.",
        )

    def handle(self, *args, host: str, verification_token: str | None, rotate: bool, **options):
        try:
            plugin = keys.plugin_for_host(host)
            if verification_token is not None:
                keys.set_verification_token(plugin, verification_token)
                self.stderr.write(f"Stored the verification token of {plugin.slug}.")
                if not rotate:
                    return
            key = keys.rotate_service_key(plugin)
        except keys.KeySetupError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"New service key of {plugin.slug}; the old one no longer works. "
            "It is shown only now: paste it into ChatGPT's plugin set-up."
        )
        self.stdout.write(key)
