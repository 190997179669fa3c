"""register_chatgpt_client: creates the OAuth client ChatGPT uses for one oauth plugin host."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pluginmeta.auth.oauth.services import register_operator_client


def is_text(value: str) -> bool:
    """False for an argument holding bytes the shell could not decode (kept as surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Command(BaseCommand):
    """Prints client_id and client_secret once; the secret is stored hashed."""

    help = (
        "Create a confidential OAuth client for the oauth plugin on HOST. Redirect URIs are "
        "https://chat.openai.com/aip/<plugin-id>/oauth/callback (plugins) or "
        "https://chatgpt.com/aip/g-<gpt-id>/oauth/callback (GPT Actions)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="Hostname of the oauth plugin, e.g. todo-oauth.localhost")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            help="Exact callback URL ChatGPT sends; repeat for several.",
        )
        parser.add_argument(
            "--verification-token",
            default=None,
            help="The token ChatGPT shows after you enter the client; stored on the plugin "
            "and served as the manifest's auth.verification_tokens.openai.",
        )
        parser.add_argument("--name", default="ChatGPT", help="Name shown on the consent page.")

    def handle(self, *args, host: str, redirect_uris: list[str], **options) -> None:
        given = [host, *redirect_uris, options["name"], options["verification_token"] or ""]
        if not all(is_text(value) for value in given):
            raise CommandError("Arguments must be valid UTF-8 text.")
        placeholder = next((value for value in given if "<" in value or ">" in value), None)
        if placeholder is not None:
            raise CommandError(
                f"{placeholder!r} holds a <placeholder>: put in the real value from ChatGPT."
            )
        try:
            client = register_operator_client(
                host, redirect_uris, options["name"], options["verification_token"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"client_id: {client.client_id}")
        if client.client_secret is None:
            self.stderr.write(
                "Stored the verification token; the client above already had these redirect "
                "URIs and keeps its secret."
            )
            return
        self.stdout.write(f"client_secret: {client.client_secret}")
        self.stderr.write("The secret is stored hashed and cannot be shown again.")
