"""WSGI entry point: what config.asgi (the production server) and runserver run."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

from config.chunked import ChunkedBodyMiddleware  # noqa: E402 - needs the settings above

application = ChunkedBodyMiddleware(django_application)
