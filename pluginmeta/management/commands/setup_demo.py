"""Idempotent set-up for a local demo: loads demo data and tells where everything is served."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from pluginmeta.hosts.services import origin
from pluginmeta.models import Plugin


class Command(BaseCommand):
    """Loads whatever demo data the apps ship, then prints the plugins, their URLs and the admin."""

    help = "Prepare the local demo (run by `make run`); safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port of the printed URLs.")

    def handle(self, *args, port: int, **options) -> None:
        for command in self.demo_data_commands():
            call_command(command, verbosity=options["verbosity"])
        self.stdout.write("\nPlugins (each on its own hostname):")
        call_command("list_plugins", scheme="http", port=port, stdout=self.stdout)
        self.write_path_urls(port)
        self.stdout.write(f"\nAdmin: http://localhost:{port}/admin/ (on every plugin host)")
        if not get_user_model().objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "No admin user yet; create the first one in another terminal with:\n"
                "    .venv/bin/python manage.py createsuperuser"
            )

    def write_path_urls(self, port: int) -> None:
        """Each plugin's path form, which works where *.localhost names do not (Node clients)."""
        server = settings.PLUGIN_SERVER
        if not server["PATH_MOUNTS"]:
            return
        self.stdout.write(
            "\nThe same plugins by path, on any host (for clients that cannot resolve "
            "*.localhost names):"
        )
        prefix = server["PATH_PREFIX"].strip("/")
        for slug in Plugin.objects.filter(is_active=True).values_list("slug", flat=True):
            base = f"{origin('localhost', 'http', port)}/{prefix}/{slug}"
            self.stdout.write(f"{slug}  {base}/  MCP: {base}/mcp")

    def demo_data_commands(self) -> list[str]:
        return [
            name
            for name in ("load_sportstats_demo", "load_retrieval_demo")
            if name in get_commands()
        ]
