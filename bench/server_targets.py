"""The ASGI applications bench/servers_bench.py serves beside the production one.

granian --interface asgi bench.server_targets:wsgi_to_asgi
granian --interface asgi bench.server_targets:django_asgi
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def __getattr__(name: str):
    # Built on first use, so each server process builds only the one it serves.
    if name == "wsgi_to_asgi":
        from asgiref.wsgi import WsgiToAsgi

        from config.wsgi import application

        return WsgiToAsgi(application)
    if name == "django_asgi":
        from django.core.asgi import get_asgi_application

        return get_asgi_application()
    raise AttributeError(name)
