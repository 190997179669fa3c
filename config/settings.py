"""Django settings: everything that varies between deployments is read from the environment here."""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", False)

# `make run` writes a per-checkout key to .secret_key, so manage.py works in any new shell of
# that checkout. A deployment sets DJANGO_SECRET_KEY; with neither, the server refuses to start.
SECRET_KEY_FILE = Path(env_str("DJANGO_SECRET_KEY_FILE", str(BASE_DIR / ".secret_key")))
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off, or {SECRET_KEY_FILE} "
            "must hold a key (generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

# ".localhost" covers every *.localhost plugin host; production adds its own names.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", ".localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "pluginmeta",
    "todos",
    "sportstats",
    "retrieval",
    # After the project's apps, so their templates and admin registrations take precedence.
    # Prefix + hash key models that the key auth types (pluginmeta.models.keys) build on.
    "rest_framework_api_key",
    # The OAuth authorization server of oauth plugin hosts.
    "oauth2_provider",
    # Locks out repeated failed sign-ins on the admin and the oauth sign-in pages.
    "axes",
]

MIDDLEWARE = [
    "pluginmeta.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pluginmeta.hosts.middleware.PluginHostMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # The session, auth and messages middleware are Django's own, skipped for everything
    # but the admin and the OAuth pages: the APIs use no cookie (pluginmeta/hosts/pages.py).
    "pluginmeta.hosts.pages.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "pluginmeta.hosts.pages.AuthenticationMiddleware",
    "pluginmeta.hosts.pages.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: these turn a refused sign-in into its 429 answer.
    "pluginmeta.auth.login_limits.address_limit_middleware",
    "axes.middleware.AxesMiddleware",
]

# Used only for requests that never reach a plugin (bad Host); plugin hosts get their own urlconf.
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------

SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing
    # with "database is locked" when they upgrade a read transaction.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=20000;"
        "PRAGMA foreign_keys=ON;"
    ),
}

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 600),
        # A health check is one more round trip on every request. Without it, a connection
        # broken by a database restart fails one request with a 503 and is then replaced.
        conn_health_checks=env_bool("DJANGO_CONN_HEALTH_CHECKS", False),
    )
}
# Postgres: bind parameters on the server and let psycopg prepare a statement on its 5th run
# (its own default; Django turns preparation off unless prepare_threshold is set), so
# Postgres stops parsing and planning the hot queries on every request (docs/performance.md,
# "Prepared statements on Postgres").
# DJANGO_PG_SERVER_SIDE_BINDING=0 turns both off, e.g. behind PgBouncer in transaction mode.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DJANGO_PG_SERVER_SIDE_BINDING", True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
# A database that accepts connections but never answers must not hold a worker until the
# server's own timeout kills it: connecting and every statement (lock waits included) are
# bounded, and the request then gets the 503 JSON. 0 turns the statement limit off.
DB_CONNECT_TIMEOUT = env_int("DJANGO_DB_CONNECT_TIMEOUT", 3)
DB_STATEMENT_TIMEOUT = env_int("DJANGO_DB_STATEMENT_TIMEOUT", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    pg_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT > 0:
        pg_options["options"] = " ".join(
            filter(
                None, [pg_options.get("options"), f"-c statement_timeout={DB_STATEMENT_TIMEOUT}s"]
            )
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    # A kept connection saves re-running the PRAGMAs above on every request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # Tests use a file too: an in-memory database locks whole tables between threads and
    # would not behave like the server's WAL file. One file per test run, so two runs in one
    # checkout do not delete each other's database; DJANGO_TEST_DB_FILE names a fixed one
    # (mutation testing reuses it between runs).
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("DJANGO_TEST_DB_FILE", str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3"))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails fast while Redis is down, and the callers degrade (pluginmeta/cache.py).
            "BACKEND": "pluginmeta.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("DJANGO_CACHE_PREFIX", "aips"),
            # A healthy Redis nearby answers in about a millisecond; these bound what a dead
            # or hung one costs the request that finds it so.
            "OPTIONS": {
                "socket_connect_timeout": env_float("REDIS_CONNECT_TIMEOUT", 0.5),
                "socket_timeout": env_float("REDIS_SOCKET_TIMEOUT", 0.5),
            },
            # Seconds Redis is left alone after a failure before it is tried again.
            "RETRY_SECONDS": env_float("REDIS_RETRY_SECONDS", 5),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n, static, media ------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
# Without collectstatic there is no manifest; whitenoise then serves from the app folders.
WHITENOISE_USE_FINDERS = not (STATIC_ROOT / "staticfiles.json").exists()
warnings.filterwarnings("ignore", message="No directory at")

# Request bodies: the plugin APIs take small JSON documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_MAX_BODY_BYTES", 64 * 1024)

# The production server (config/asgi.py): Django threads per worker process, and how long a
# request body may take to arrive in full before the client gets a 408.
WEB_THREADS = env_int("WEB_THREADS", 1)
WEB_BODY_TIMEOUT_SECONDS = env_float("WEB_BODY_TIMEOUT_SECONDS", 10.0)

# --- HTTPS behind a proxy -----------------------------------------------------------------------

# Set DJANGO_SECURE_PROXY_SSL_HEADER=1 only behind a proxy that sets X-Forwarded-Proto itself.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# A failed CSRF check answers JSON, except to browsers (pluginmeta.api.errors.csrf_failure).
CSRF_FAILURE_VIEW = "pluginmeta.api.errors.csrf_failure"

# DJANGO_HTTPS=1 declares the site HTTPS-only: redirect, HSTS and secure cookies. Off by
# default because `make run` serves plain http on localhost.
HTTPS_ONLY = env_bool("DJANGO_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", HTTPS_ONLY)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", HTTPS_ONLY)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", HTTPS_ONLY)

# --- CORS ---------------------------------------------------------------------------------------

CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS", ["https://chat.openai.com", "https://chatgpt.com"]
)
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "openai-conversation-id",
    "openai-ephemeral-user-id",
    "x-requested-with",
]

# --- REST framework and OpenAPI -----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pluginmeta.api.parsers.LimitedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "pluginmeta.api.parsers.JSONOnlyNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": ["pluginmeta.auth.drf.PluginAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["pluginmeta.auth.drf.PluginPermission"],
    "DEFAULT_SCHEMA_CLASS": "pluginmeta.openapi.PluginAutoSchema",
    "EXCEPTION_HANDLER": "pluginmeta.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["pluginmeta.api.throttling.PluginRateThrottle"],
    # Per plugin and caller; "off" disables. Counted in the cache: set REDIS_URL when
    # several processes serve, so they share one count.
    "DEFAULT_THROTTLE_RATES": {"plugin": env_str("API_THROTTLE_RATE", "600/min")},
    # Number of trusted proxies in front of the server, for the client address in X-Forwarded-For.
    "NUM_PROXIES": env_int("DJANGO_NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AI plugin",
    # 3.1 defines a body on DELETE (deleteTodo has one) and is what GPT Actions import.
    "OAS_VERSION": "3.1.0",
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "DISABLE_ERRORS_AND_WARNINGS": True,
    # /docs and /redoc load Swagger UI and ReDoc from our static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise send every spec to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- This project -------------------------------------------------------------------------------

PLUGIN_SERVER = {
    # The pages people click through, which alone get the session, sign-in and messages
    # middleware (pluginmeta/hosts/pages.py): the admin, and the OAuth pages (the authorize
    # page, AUTHORIZE_PATH in pluginmeta/auth/oauth/paths.py, and everything under it).
    "PAGE_PATH_PREFIXES": ("/admin", "/oauth"),
    # What /healthz adds of the apps, each a name and a function returning a short string:
    # how the retrieval plugin searches vectors ("pgvector" or "exact").
    "HEALTH_REPORTS": {"vector_search": "retrieval.pgvector.vector_search_state"},
    # Which URL module serves each kind of plugin API; a Plugin row picks one of these keys.
    "KINDS": {
        "todo": "config.plugin_urls.todo",
        "sportstats": "config.plugin_urls.sportstats",
        "retrieval": "config.plugin_urls.retrieval",
    },
    # The views (MCP Apps, docs/mcp-apps.md) each kind shows in clients that render them: per
    # kind, a view's name, its template in the kind's app, and the tools whose results it shows.
    "MCP_APPS": {
        "todo": {
            "list": {
                "title": "TODO list",
                "description": "The list: add a todo, delete one, see the model's changes.",
                "template": "todos/mcp_app.html",
                "tools": ["getTodos", "addTodo", "deleteTodo"],
            },
        },
        "sportstats": {
            "stats": {
                "title": "Sport Stats",
                "description": "A player's card with season averages, and games a page at a time.",
                "template": "sportstats/mcp_app.html",
                "tools": ["getSeasonAverages", "getPlayers", "getStats", "getGames"],
            },
        },
        "retrieval": {
            "results": {
                "title": "Search results",
                "description": "Search results with their sources, and one document opened.",
                "template": "retrieval/mcp_app.html",
                "tools": ["search", "query", "fetch"],
            },
        },
    },
    # Seconds a resolved host -> plugin map is kept in the cache; saves invalidate it at once.
    "HOST_CACHE_SECONDS": env_int("PLUGIN_HOST_CACHE_SECONDS", 300),
    # Grows by a byte per plugin change, so every process on this machine sees the change on
    # its next request, with or without Redis (pluginmeta/hosts/resolver.py).
    "HOST_GENERATION_FILE": env_str(
        "PLUGIN_HOST_GENERATION_FILE", str(BASE_DIR / ".host-map-generation")
    ),
    # URL modules served ahead of every plugin host's own: the benchmarks' baselines
    # (bench/baseline.py) when PLUGIN_BENCH_BASELINE asks for them, nothing otherwise.
    "EXTRA_URL_MODULES": ["bench.baseline"] if env_bool("PLUGIN_BENCH_BASELINE") else [],
    # Plainly valid getTodos/addTodo calls on no-auth hosts skip DRF's dispatch
    # (pluginmeta/api/fastpath.py); off sends every call through DRF.
    "FAST_PATH": env_bool("PLUGIN_FAST_PATH", True),
    # Every plugin also answers at /<PATH_PREFIX>/<slug>/ on any allowed host, for clients that
    # cannot reach its hostname and for one-domain deployments (pluginmeta/hosts/mount.py).
    "PATH_MOUNTS": env_bool("PLUGIN_PATH_MOUNTS", True),
    "PATH_PREFIX": env_str("PLUGIN_PATH_PREFIX", "p"),
}

# The most todos one owner's list on one plugin may hold; addTodo is refused (409) at it.
TODO_MAX_ITEMS_PER_LIST = env_int("TODO_MAX_ITEMS_PER_LIST", 1000)

# The retrieval plugin kind (retrieval/): documents, their chunks, keyword and vector search.
RETRIEVAL = {
    # The largest file /upsert-file and the admin's upload page take (413 above it), and the
    # largest JSON body /upsert takes.
    "MAX_FILE_BYTES": env_int("RETRIEVAL_MAX_FILE_BYTES", 10 * 1024 * 1024),
    "MAX_UPSERT_BYTES": env_int("RETRIEVAL_MAX_UPSERT_BYTES", 4 * 1024 * 1024),
    # "wordllama" (embedded, offline) or "http" (an OpenAI-compatible /embeddings endpoint).
    "EMBEDDER": env_str("RETRIEVAL_EMBEDDER", "wordllama"),
    "EMBEDDINGS_URL": env_str("RETRIEVAL_EMBEDDINGS_URL"),
    "EMBEDDINGS_MODEL": env_str("RETRIEVAL_EMBEDDINGS_MODEL", "text-embedding-3-small"),
    "EMBEDDINGS_KEY": env_str("RETRIEVAL_EMBEDDINGS_KEY"),
    "EMBEDDINGS_TIMEOUT_SECONDS": env_float("RETRIEVAL_EMBEDDINGS_TIMEOUT_SECONDS", 30.0),
    # Chunks are cut at sentence and paragraph boundaries, sizes counted in words.
    "CHUNK_WORDS": env_int("RETRIEVAL_CHUNK_WORDS", 200),
    "CHUNK_OVERLAP_WORDS": env_int("RETRIEVAL_CHUNK_OVERLAP_WORDS", 40),
    # The search mode of a query that names none: keyword, vector or hybrid. Unset, the mode
    # that ranked best on this database (docs/records/retrieval-benchmarks.md): keyword on
    # SQLite (FTS5's BM25), hybrid on Postgres (ts_rank has no term weights to stand alone).
    "DEFAULT_MODE": env_str(
        "RETRIEVAL_DEFAULT_MODE",
        "keyword" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "hybrid",
    ),
}
# The production server (config/asgi.py) reads bodies up to these sizes on these paths, above
# the general limit: the retrieval API's documents and files.
PLUGIN_SERVER["BODY_LIMITS"] = {
    "/upsert": RETRIEVAL["MAX_UPSERT_BYTES"],
    "/upsert-file": RETRIEVAL["MAX_FILE_BYTES"] + 64 * 1024,
}

# --- OAuth authorization server (django-oauth-toolkit), for oauth plugin hosts ------------------

# The sign-in page of the oauth plugins: a URL name, reversed on the host and under the path
# (/p/<slug>/) of the plugin being authorized.
LOGIN_URL = "oauth-login"
# Whether visitors of an oauth plugin host may create an account on its sign-up page.
OAUTH_SIGNUP_ENABLED = env_bool("OAUTH_SIGNUP_ENABLED", True)
# Open client registration (/oauth/register): attempts per client address per window
# ("count/sec|min|hour|day", "off" for none), and the largest client metadata body it reads.
OAUTH_REGISTER_ADDRESS_RATE = env_str("OAUTH_REGISTER_ADDRESS_RATE", "20/hour")
OAUTH_REGISTER_MAX_BYTES = env_int("OAUTH_REGISTER_MAX_BYTES", 8 * 1024)
# Self-registered clients never issued a token are removed this long after registering, by
# `manage.py remove_unused_oauth_clients`.
OAUTH_UNUSED_CLIENT_HOURS = env_int("OAUTH_UNUSED_CLIENT_HOURS", 24)
# Failed client authentications at the token endpoint (each costs a secret hash) per client id
# and per client address; over either, the endpoint answers 429 before hashing anything.
OAUTH_CLIENT_FAILURE_ID_RATE = env_str("OAUTH_CLIENT_FAILURE_ID_RATE", "20/hour")
OAUTH_CLIENT_FAILURE_ADDRESS_RATE = env_str("OAUTH_CLIENT_FAILURE_ADDRESS_RATE", "20/hour")
# Client ID Metadata Documents (pluginmeta/auth/oauth/cimd.py) are fetched over https from
# public addresses only; on, plain http and https to loopback addresses are fetched too (tests
# and local development; never in production).
OAUTH_CIMD_ALLOW_LOOPBACK_HTTP = env_bool("OAUTH_CIMD_ALLOW_LOOPBACK_HTTP", False)

OAUTH2_PROVIDER = {
    # Our validator ties every client to one plugin, matches redirect URIs exactly, allows only
    # the code and refresh grants, and requires S256 PKCE from public clients (ChatGPT is a
    # confidential client and sends none, so it stays optional there).
    "OAUTH2_VALIDATOR_CLASS": "pluginmeta.auth.oauth.validator.PluginOAuth2Validator",
    # Reads the token request as JSON (what the manifest announces) or as a form.
    "OAUTH2_BACKEND_CLASS": "pluginmeta.auth.oauth.backend.PluginOAuthLibCore",
    # oauthlib's server with only the code and refresh grants, so any other grant_type (device
    # code, password, ...) is refused as unsupported_grant_type before a grant handler runs.
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.WebApplicationServer",
    "PKCE_REQUIRED": True,  # the validator relaxes this for confidential clients only
    "SCOPES": {"todos": "Read, add and delete the items of your TODO list"},
    "DEFAULT_SCOPES": ["todos"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 90,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REQUEST_APPROVAL_PROMPT": "force",
    # http is for loopback callbacks only (RFC 8252 native apps: Claude Code, the MCP SDK,
    # local tests), also on an HTTPS-only site; every way to register a client (command,
    # dynamic registration, admin) refuses http for any other host
    # (pluginmeta.auth.oauth.services.check_redirect_uri).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # RFC 9207 mix-up defense: the code redirect carries iss=<this host's origin>; clients that
    # do not know the parameter (ChatGPT) ignore it.
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    # Access and refresh tokens are stored as hashes only.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # Dynamic Client Registration (RFC 7591) is open, as MCP clients expect: each registration is
    # a public client of one plugin, bound by PKCE (pluginmeta/oauth/registration.py).
    "DCR_ENABLED": True,
    "DCR_REGISTRATION_PERMISSION_CLASSES": ("oauth2_provider.dcr.AllowAllDCRPermission",),
    # Client ID Metadata Documents (MCP authorization 2025-11-25): a client_id that is an https
    # URL is fetched by pluginmeta.auth.oauth.cimd (not django-oauth-toolkit's fetcher), which
    # reads these: the fetch's timeout, the largest document, and how long a document is kept
    # (its Cache-Control max-age, at least MIN and at most MAX; no-store keeps it not at all).
    "CIMD_ENABLED": env_bool("OAUTH_CIMD_ENABLED", True),
    "CIMD_FETCH_TIMEOUT_SECONDS": env_float("OAUTH_CIMD_FETCH_TIMEOUT_SECONDS", 5.0),
    "CIMD_MAX_DOCUMENT_SIZE": env_int("OAUTH_CIMD_MAX_DOCUMENT_BYTES", 16 * 1024),
    "CIMD_METADATA_MIN_AGE_SECONDS": env_int("OAUTH_CIMD_MIN_AGE_SECONDS", 60),
    "CIMD_METADATA_MAX_AGE_SECONDS": env_int("OAUTH_CIMD_MAX_AGE_SECONDS", 86400),
    "CIMD_MAX_CONCURRENT_FETCHES": env_int("OAUTH_CIMD_MAX_CONCURRENT_FETCHES", 10),
}
# django-oauth-toolkit warns about "http" in the scheme list above, which cannot say "loopback
# only"; pluginmeta.auth.oauth.services.check_redirect_uri says it for every way a client is
# registered (tests/pluginmeta/admin and tests/pluginmeta/auth/oauth hold it to that).
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]

# --- Sign-in brute-force protection (django-axes): the admin and the oauth sign-in pages ------

AUTHENTICATION_BACKENDS = [
    # First, so an address over its budget of attempts is refused before any other check.
    "pluginmeta.auth.login_limits.AddressLimitBackend",
    # Next, so a locked-out username and address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins of one username from one client address before it is locked out...
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ...for this long after the last failure; a successful sign-in clears the count.
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# The client address the API throttle uses too (DJANGO_NUM_PROXIES decides what to trust).
AXES_CLIENT_IP_CALLABLE = "pluginmeta.http.client_address"
AXES_LOCKOUT_CALLABLE = "pluginmeta.auth.login_limits.locked_out"
# Sign-in attempts (any username, right password or wrong) and sign-up attempts from one client
# address per window ("count/sec|min|hour|day", "off" for none). Counted before the password
# is hashed, so rotating usernames cannot keep the CPU busy; over the budget gets a 429 page.
LOGIN_ADDRESS_RATE = env_str("LOGIN_ADDRESS_RATE", "30/hour")
SIGNUP_ADDRESS_RATE = env_str("SIGNUP_ADDRESS_RATE", "10/hour")

# --- Logging: to stderr, so a command's standard output holds only its result ---------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stderr"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        # django-axes announces itself at INFO in every process, each command included.
        "axes.apps": {"level": "WARNING"},
        # One INFO line per upstream request would bury sync_sportstats' progress bars.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
