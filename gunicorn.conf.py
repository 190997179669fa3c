"""gunicorn settings for `gunicorn config.wsgi`; each value can be set from the environment."""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers block on the database, so a few more than cores keep the CPUs busy.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
# Whether a request came over https is Django's call alone (DJANGO_SECURE_PROXY_SSL_HEADER):
# gunicorn would otherwise set https from X-Forwarded-Proto, -Ssl or -Protocol, and
# SCRIPT_NAME from a header, for any client on a trusted address, 127.0.0.1 by default.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
# The longest request line gunicorn allows: a query with 100 ids per array parameter fits.
limit_request_line = 8190
