"""Lanes settings: the only settings module. Every value comes from the environment.

A `.env` file in the project folder is read when present; the OS environment wins.
`.env.example` names and explains every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A development key only when DEBUG is on; without DEBUG a missing key refuses to start.
SECRET_KEY = env(
    "SECRET_KEY",
    default="dev-only-insecure-key-never-use-in-production"
    if DEBUG
    else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "district",
    "roles",
    "goals",
    "routines",
    "tokens",
    "tiers",
    "rhythm",
    "decisions",
    "publishing",
]

MIDDLEWARE = [
    "config.logging.RequestLogMiddleware",
    "config.middleware.ApiNoStoreMiddleware",
    "config.middleware.RejectNullCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'lanes.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# API throttles count requests in this cache. A per-process cache gives each gunicorn
# worker (and each restart, every --max-requests) a fresh count, so the limits never
# hold: a server (DEBUG off, hosts to answer) refuses to start with one, unless
# ALLOW_PER_PROCESS_CACHE says a single process is meant.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
if (
    not DEBUG
    and ALLOWED_HOSTS
    and CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES
    and not env.bool("ALLOW_PER_PROCESS_CACHE", default=False)
):
    raise ImproperlyConfigured(
        "CACHE_URL must name a cache shared by every worker (redis://HOST:6379/1) when "
        "DEBUG is off: API throttles count there. Set ALLOW_PER_PROCESS_CACHE=on to "
        "run one process with a per-process cache."
    )

# Rendered parts of pages that every visitor with one access level sees alike, stored
# under the data version they show (district/conditional.py: `shared_part_key`): in the
# shared cache when there is one, else in a small cache of each process.
CACHES["parts"] = (
    {**CACHES["default"]}
    if CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lanes-parts",
        "OPTIONS": {"MAX_ENTRIES": 64},
    }
)
SHARED_PART_SECONDS = env.int("SHARED_PART_SECONDS", default=600)

# Work outside the request (reminders, PDF packets, deletes that outlast a request) is a
# django-tasks task. The default backend queues it in the database, on SQLite as on
# PostgreSQL, and `python manage.py db_worker` runs it (`dev.py run` starts one; run one
# or more per machine in production, see docs/deployment.md). TASKS_BACKEND=
# django_tasks.backends.immediate.ImmediateBackend runs each task inside the request.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Public dashboards: page views each client (address, after NUM_PROXIES) may make per
# minute before a 429, and how long a rendered page stays cached for its data version.
PUBLIC_RATE_LIMIT = env.int("PUBLIC_RATE_LIMIT", default=120)
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=3600)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): failures are counted per username; after
# AXES_FAILURE_LIMIT of them the account refuses logins until AXES_COOLOFF_MINUTES
# have passed since the last failure. A successful login clears only that
# username's failures. `manage.py axes_reset_username NAME` unlocks an account.
AUTHENTICATION_BACKENDS = [
    "config.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.auth.render_lockout"

# Outgoing mail (reminders, password reset), e.g.
# EMAIL_URL=smtp+tls://USER:PASSWORD@smtp.example.org:587. Without it mail is written
# to the console, and password reset by email is off (config/password_reset.py).
PASSWORD_RESET_BY_EMAIL = bool(env.str("EMAIL_URL", default=""))
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if PASSWORD_RESET_BY_EMAIL:
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="lanes@localhost")
# The address people reach Lanes at, for links in mail sent outside a request
# (reminders): scheme, host and port, no trailing slash.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "district:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads (CSV imports) are read in memory up to this size; larger requests are refused.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024
)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# The data-entry grid posts two fields (value, n) per school: room for 4,000 schools.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Security headers; production values are documented in .env.example.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 asks to lock by IP address too. Lanes locks accounts by username,
    # which rotating user agents or cookies cannot bypass; locking by IP would lock
    # out a whole district office behind one NAT address, and a successful login
    # would then clear other accounts' failures from that address.
    "axes.W006",
]
# When the proxy itself redirects HTTP to HTTPS, Django need not; saying so silences
# the check that asks for SECURE_SSL_REDIRECT.
if env.bool("SSL_REDIRECT_BY_PROXY", default=False):
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# Content Security Policy (django-csp): only Lanes' own scripts, styles, images and
# fonts; no inline script or style. The API docs page adds a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The REST API: token or session sign-in, JSON only, throttled per user and per token,
# and per address for requests without valid credentials (refused ones included).
# Rates are "N/second", "N/minute", "N/hour" or "N/day"; over a limit the API answers
# 429 with Retry-After.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a request without credentials gets 401 and WWW-Authenticate.
        "tokens.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["district.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "district.api.filters.StableOrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "district.api.filters.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": [
        "tokens.throttling.AnonymousThrottle",
        "tokens.throttling.UserThrottle",
        "tokens.throttling.TokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
        "token": env("API_THROTTLE_TOKEN", default="600/minute"),
    },
    # Proxies in front that append to X-Forwarded-For: the client address the
    # anonymous throttle counts is the one the nearest proxy saw. With 0, REMOTE_ADDR:
    # a header the client sends can never pick its own throttle count.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "district.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lanes API",
    "DESCRIPTION": "Ownership matrix, shared goals and metrics of a school district's cabinet.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Requests name related objects by id (or slug); responses show them in brief.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "district.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MeasurementScopeEnum": "goals.models.Scope",
        "TokenScopeEnum": "tokens.models.TokenScope",
        "MetricStatusEnum": "goals.status.Status",
        "TokenStatusEnum": ["active", "expired", "revoked"],
        "HistoryTypeEnum": "district.api.history.HISTORY_TYPE_CHOICES",
        "NetworkKindEnum": "district.models.NetworkKind",
        "SchoolCategoryEnum": "district.models.SchoolCategory",
        "DecisionStateEnum": "decisions.models.DecisionState",
    },
}

# Console logs, one JSON object per line (LOG_FORMAT=json) or plain text (text);
# the `lanes.requests` logger writes one line per request (config/logging.py).
# Every handler carries the `redact_secrets` filter; Django's loggers lose their own
# handlers and pass their records to the root's, so none is written unfiltered.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "config.logging.RedactSecrets"}},
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="json"),
            "filters": ["redact_secrets"],
        }
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
