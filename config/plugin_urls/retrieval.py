"""URLs served on every retrieval plugin host."""

from pluginmeta.api.errors import error_400 as handler400
from pluginmeta.api.errors import error_403 as handler403
from pluginmeta.api.errors import error_404 as handler404
from pluginmeta.api.errors import error_500 as handler500
from pluginmeta.urls import plugin_urlpatterns
from retrieval.urls import urlpatterns as api_urlpatterns

# The API first: it takes nearly all requests, and URL matching stops at the first hit. Listed
# flat rather than include()d, which would build a second ResolverMatch per request.
urlpatterns = [*api_urlpatterns, *plugin_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
