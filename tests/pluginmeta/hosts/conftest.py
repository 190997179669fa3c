"""Helpers of the routing tests: a test client under a plugin's path, mount settings."""

from django.conf import settings
from django.test import override_settings

from tests.conftest import HostClient


class PathClient(HostClient):
    """A test client on one host whose paths are all under one plugin's mount path."""

    def __init__(self, host: str, mount: str, **defaults) -> None:
        super().__init__(host, **defaults)
        self.mount = mount

    def generic(self, method, path, *args, **kwargs):
        return super().generic(method, f"{self.mount}{path}", *args, **kwargs)


def with_mounts(**changes) -> override_settings:
    """override_settings for PLUGIN_SERVER with some keys changed."""
    return override_settings(PLUGIN_SERVER={**settings.PLUGIN_SERVER, **changes})
