"""Maillage settings: one module, every deployment-specific value read from the environment.

Environment variables (all optional for a local run):
- DATABASE_URL   e.g. postgres://user:pass@host:5432/maillage
                 (default: the SQLite file var/maillage.sqlite3)
- SECRET_KEY     (default: generated once into var/secret_key)
- DEBUG          (default: off)
- ALLOWED_HOSTS  comma-separated (default: 127.0.0.1,localhost)
- EMAIL_URL      e.g. smtp+tls://user:pass@host:587 (default: console backend)
- DEFAULT_FROM_EMAIL
- HTTPS          on when served behind TLS: secure cookies, HSTS, redirect (default: off)
- SITE_URL       the address e-mails link to (default: http://127.0.0.1:8000)
- TASKS_BACKEND  "database" (a `manage.py db_worker` process runs the tasks) or "immediate"
                 (tasks run in the request, after the commit; default)
- REFERRAL_EXPIRY_DAYS, REFERRAL_REMINDER_DAYS   (default: 30 and 10)
- RETENTION_MONTHS   persons without activity for this long are anonymised (default: 36)
- PROXY_COUNT    how many reverse proxies stand before the application (default: 0); the client's
                 address is then read from X-Forwarded-For, for login lockout and rate limits
- LOGIN_FAILURES_PER_ADDRESS   failed logins (any e-mails) that lock a client address (default: 30)
- CONN_MAX_AGE   seconds a database connection is kept for the next requests (default: 60 on
                 PostgreSQL, 0 on SQLite); a kept connection is checked before it is reused
- DATABASE_JIT   PostgreSQL's JIT compiler (default: off; it compiled the visibility query on
                 every request, 259 ms, to run it in 49)
- DATABASE_REPLICA_URL   a read replica of the primary: reports and their exports read from it
                 (default: none; see maillage/core/db_routing.py and docs/scale.md)
- GZIP_PAGES     compress pages and API answers (default: on; see docs/architecture.md, "Serving")
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "maillage"
VAR_DIR = Path(environ.Env().str("MAILLAGE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def secret_key(var_dir: Path, value: str = "") -> str:
    """The SECRET_KEY from the environment, else one generated once and kept under var/."""
    if value:
        return value
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = secret_key(VAR_DIR, env.str("SECRET_KEY", default=""))
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "maillage.admin_config.MaillageAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "django_filters",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "maillage.core",
    "maillage.directory",
    "maillage.accounts",
    "maillage.interop",
    "maillage.pathways",
    "maillage.imports",
    "maillage.reporting",
    "maillage.assessments",
    "maillage.collab",
    "maillage.knowledge",
    "maillage.territory",
    "maillage.devtools",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which answers static files itself from their precompressed copies.
    *(["django.middleware.gzip.GZipMiddleware"] if env.bool("GZIP_PAGES", default=True) else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maillage.core.middleware.LanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the logged-in user as the author of directory changes (history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout signalled by its backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maillage.shell.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Persistent connections: opening one per request cost more than most pages' queries. A kept
# connection is checked before a request reuses it (CONN_HEALTH_CHECKS), so a restarted
# server costs one failed check, not one failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE", default=DATABASES["default"].get("CONN_MAX_AGE", 60 if POSTGRESQL else 0)
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if POSTGRESQL and not env.bool("DATABASE_JIT", default=False):
    # PostgreSQL's JIT compiled the visibility query on every request (259 ms) to run it in 49:
    # off for every connection, as the reports already did for their own statements.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the development server read while a command writes. Two writes that collide
    # wait for each other (up to `timeout` seconds) instead of failing with "database is
    # locked": a transaction takes the write lock when it begins (IMMEDIATE), as one that only
    # asked for it at its first write could not wait for a writer that came in between.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )

if env.str("DATABASE_REPLICA_URL", default=""):
    # A read replica of the same PostgreSQL: reports and exports read from it
    # (`core.db_routing`); its tests run against the primary's test database.
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["maillage.core.db_routing.ReplicaRouter"]

# The default cache (rate limits, in each process) and the pages' rendered fragments: a kept
# report's results, rendered once per process while the report holds (reporting/views.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 40},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses any attempt while a lockout holds.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Accounts open personal data: 12 characters at least, as ANSSI recommends.
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "home"

# The client's address (login lockout, rate limits): X-Forwarded-For is read only behind
# PROXY_COUNT trusted reverse proxies, else REMOTE_ADDR (see maillage/core/client_address.py).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "maillage.core.client_address.client_address"
RATELIMIT_IP_META_KEY = "maillage.core.client_address.client_address"

# Failed logins: 10 failures in a row for one e-mail from one address lock it for a while, and
# LOGIN_FAILURES_PER_ADDRESS failures from one address, whatever the e-mails (password spraying).
AXES_HANDLER = "maillage.accounts.lockout.AxesHandler"
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "maillage.accounts.services.normalised_login_identifier"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "maillage_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# The chart library of the report pages comes from npm (node_modules/), one file, no CDN.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "maillage.reporting.static_finders.NpmFilesFinder",
]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "maillage.core.static_storage.CompressedStaticFilesStorage"
        )
    },
}

globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Maillage <ne-pas-repondre@maillage.test>"
)

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Background tasks (django-tasks, the backport of Django 6's tasks framework).
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[env.str("TASKS_BACKEND", default="immediate")]}}

# Pathways: referrals unanswered expire (the sender is told), with a reminder before.
REFERRAL_EXPIRY_DAYS = env.int("REFERRAL_EXPIRY_DAYS", default=30)
REFERRAL_REMINDER_DAYS = env.int("REFERRAL_REMINDER_DAYS", default=10)
# GDPR retention: persons without any activity for this many months are anonymised.
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=36)

HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
# Reception desks share computers: a session lasts a working day, not the default fortnight.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 3600
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: everything from our own origin, nothing inline, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CSRF_FAILURE_VIEW = "maillage.core.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A structure's token first: an anonymous call then gets 401 with `WWW-Authenticate: Bearer`.
    # Browser sessions keep working (with CSRF on writes).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "maillage.pathways.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A rule a service refuses (Django ValidationError) is a 400 with field errors, not a 500.
    "EXCEPTION_HANDLER": "maillage.core.api_errors.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers, with JSON's turning a too deeply nested body into a 400 (not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "maillage.core.api_errors.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Maillage API",
    "DESCRIPTION": "Shared platform of a territorial network of ESS support organisations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two state machines both have a "status": name their enums.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "maillage.pathways.models.ApplicationStatus",
        "ReferralStatusEnum": "maillage.pathways.models.ReferralStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# SQLite (the quick start) cannot declare a unique constraint whose NULLs are equal (a network's
# budget without a group, once per year: collab.Budget); PostgreSQL does, and the services check
# it with full_clean on both. The warning says nothing the quick start can act on.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
