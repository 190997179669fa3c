"""Idempotent set-up for a local demo: checks the example plugins and loads demo data."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from pluginmeta.models import PluginHost


class Command(BaseCommand):
    """Prints where each plugin is served and loads whatever demo data the apps ship."""

    help = "Prepare the local demo (run by `make run`); safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default="8000", help="Port shown in the printed URLs.")

    def handle(self, *args, port: str, **options) -> None:
        for command in self.demo_data_commands():
            call_command(command, verbosity=options["verbosity"])
        for host in PluginHost.objects.select_related("plugin").order_by("plugin__slug"):
            self.stdout.write(
                f"{host.plugin.name_for_human:<22} http://{host.hostname}:{port}/"
                f"  (auth: {host.plugin.auth_type})"
            )

    def demo_data_commands(self) -> list[str]:
        from django.core.management import get_commands

        return [name for name in ("load_sportstats_demo",) if name in get_commands()]
