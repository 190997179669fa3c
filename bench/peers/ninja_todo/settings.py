"""Settings of the django-ninja peer: one app, the database from DATABASE_URL."""

import os

import dj_database_url

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "peer-bench-only")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["ninja_todo"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "ninja_todo.api"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The same database tuning as the project under test: persistent connections, and on
# SQLite WAL with IMMEDIATE transactions.
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
