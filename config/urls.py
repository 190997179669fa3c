"""Fallback URL module: only requests that match no plugin host land here, and all get 404 JSON."""

from pluginmeta.errors import error_400 as handler400
from pluginmeta.errors import error_403 as handler403
from pluginmeta.errors import error_404 as handler404
from pluginmeta.errors import error_500 as handler500

urlpatterns: list = []

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
