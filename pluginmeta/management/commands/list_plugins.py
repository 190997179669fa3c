"""list_plugins: every plugin with its hostnames, auth type and URLs."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pluginmeta.hosts.services import HOST_PAGES, is_allowed_host, origin, plugin_listings

# Where `make run` serves: http URLs without --port are for a checkout, not for a deployment
# (which is https, or names its port).
MAKE_RUN_PORT = 8000


class Command(BaseCommand):
    """Prints each plugin, then one line per hostname with its URL."""

    help = (
        "List the plugins: slug, name, API kind, auth type, and for each hostname its URLs. "
        "Hostnames outside DJANGO_ALLOWED_HOSTS are marked: requests for them get 400."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scheme",
            choices=["http", "https"],
            default=None,
            help="Scheme of the printed URLs (default: https with DJANGO_HTTPS, else http).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help=f"Port in the printed URLs (default: {MAKE_RUN_PORT}, where `make run` serves, "
            "for http URLs; none for https).",
        )

    def handle(self, *args, scheme: str | None, port: int | None, **options) -> None:
        if port is not None and not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port (1 to 65535).")
        scheme = scheme or ("https" if settings.HTTPS_ONLY else "http")
        listings = plugin_listings()
        if not listings:
            raise CommandError("There are no plugins; run `python manage.py migrate` first.")
        if port is None and scheme == "http":
            port = MAKE_RUN_PORT
            self.stderr.write(
                f"URLs on port {port}, where `make run` serves; --port names another "
                "(--port 80 for none)."
            )
        for listing in listings:
            plugin = listing.plugin
            state = "" if plugin.is_active else ", inactive: answers 404"
            self.stdout.write(
                f"{plugin.slug}  {plugin.name_for_human}  "
                f"({plugin.kind} API, auth {plugin.auth_type}{state})"
            )
            if not listing.hostnames:
                self.stdout.write(
                    f"    no hostname: add one with `plugin_hostname add {plugin.slug} HOSTNAME`"
                )
            for hostname in listing.hostnames:
                blocked = "" if is_allowed_host(hostname) else "  [not in DJANGO_ALLOWED_HOSTS]"
                self.stdout.write(f"    {origin(hostname, scheme, port)}/{blocked}")
        pages = ", ".join(f"{path} ({name})" for name, path in HOST_PAGES.items())
        self.stdout.write(f"Every plugin URL serves {pages}.")
