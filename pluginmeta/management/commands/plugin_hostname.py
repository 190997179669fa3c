"""plugin_hostname add SLUG HOSTNAME | remove HOSTNAME: which hostnames route to a plugin."""

from django.core.management.base import BaseCommand, CommandError

from pluginmeta.hosts.services import HostnameError, add_hostname, is_allowed_host, remove_hostname


class Command(BaseCommand):
    """Adds or removes a hostname of a plugin; every server process sees it on its next request."""

    help = (
        "Serve a plugin on another hostname (add SLUG HOSTNAME) or stop serving one "
        "(remove HOSTNAME). `list_plugins` shows the slugs and hostnames."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,remove}")
        add = actions.add_parser("add", help="Route HOSTNAME to the plugin SLUG.")
        add.add_argument("slug", help="The plugin's slug, e.g. todo (see list_plugins).")
        add.add_argument("hostname", help="A bare hostname, e.g. todo.example.com.")
        remove = actions.add_parser("remove", help="Stop serving anything on HOSTNAME.")
        remove.add_argument("hostname")

    def handle(self, *args, action: str, hostname: str, **options) -> None:
        try:
            if action == "add":
                host, created = add_hostname(options["slug"], hostname)
            else:
                host = remove_hostname(hostname)
        except HostnameError as exc:
            raise CommandError(str(exc)) from None
        if action == "remove":
            self.stdout.write(f"{host.hostname} no longer serves {host.plugin.slug}")
            if not host.plugin.hosts.exists():
                self.stderr.write(f"{host.plugin.slug} has no hostname left: nothing serves it.")
            return
        verb = "now serves" if created else "already served"
        self.stdout.write(f"{host.hostname} {verb} {host.plugin.slug}")
        if not is_allowed_host(host.hostname):
            self.stderr.write(
                f"Add {host.hostname} to DJANGO_ALLOWED_HOSTS too: until then requests for it "
                "are refused with 400."
            )
