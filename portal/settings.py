"""Settings for the Service Standards Portal.

Over 400 lines on purpose: Django reads one settings module, and each environment variable is
read here once, next to the setting it feeds and the reason for its default.

Everything that differs between machines comes from the environment (see README.md for the
table). The defaults run the whole portal on one machine with no servers: a SQLite file and a
Celery broker on the local disk, both under ``var/``.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.bootstrap as xstatic_bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)

if DEBUG:
    # Development only: a fixed key so that sessions survive restarts of `make run`.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY") or ""
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "core",
    "portal.apps.PortalConfig",
    "channels_app",
    "standards",
    "sla",
    "training",
    "surveys",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the middleware that may query the database, so that it sees their failures too.
    "core.dbfaults.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.RejectUnstorableQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.security.SignedInResponseMiddleware",
    # After authentication (LocaleMiddleware, above, cannot know the user): a signed-in
    # person's preferred language overrides the cookie and Accept-Language.
    "core.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.roles",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

_database_url = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
try:
    _database = environ.Env.db_url_config(_database_url)
except Exception as exc:  # django-environ raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None

if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # The web server, worker and beat share the file: WAL lets readers and one writer
        # work together, IMMEDIATE transactions avoid "database is locked" on upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Without health checks the first request on each worker after a PostgreSQL restart is a 500.
    _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
# While the database is unreachable, pages and the API answer 503 with this Retry-After (seconds).
DATABASE_RETRY_AFTER = env_int("DATABASE_RETRY_AFTER", 5, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # The cache is an optimisation (core.cache): a Redis that stopped answering costs a
            # request a second per cache call, not a worker stuck on a socket for minutes.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # A file cache is shared by every process on the machine (web, worker, beat), which the
    # rate limits and the worker heartbeat rely on; the per-process memory cache is not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_DIR = VAR_DIR / "celery"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The longest task may run this long before it is killed; the broker must not redeliver a
# message that is still being worked on, so its visibility timeout is well above it.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    if REDIS_URL.startswith("redis://"):
        # kombu's Redis transport with one fix: a Redis outage does not kill the worker
        # (see portal.celery.RedisChannel for the upstream reports).
        CELERY_BROKER_TRANSPORT = "portal.celery:RedisTransport"
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # Scan for abandoned (unacknowledged) messages every few seconds, not every ~100 s.
        "unacked_restore_interval": 5,
        "unacked_restore_throttle": 1,
        # A web process that commits while Redis is unreachable logs and moves on (core.queue)
        # within seconds, instead of waiting on the connect.
        "socket_connect_timeout": 2,
    }
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
else:
    for _folder in ("queue", "processed", "results", "control"):
        (CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_DIR / 'results'}"

# --- Authentication and security --------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock out a username from one address only, so that an attacker cannot lock a real user out,
# and let the lock expire by itself.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Behind a proxy every request's REMOTE_ADDR is the proxy's: lockouts, rate limits and stored
# records must use the client's address, read from X-Forwarded-For only as far as our own
# proxies vouch for it (core.clientip). Empty: the portal is reached directly, the header is
# ignored (believing it would let anyone pick the address they are locked out or counted by).
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES", [])
for _proxy in PORTAL_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            "PORTAL_TRUSTED_PROXIES must be comma-separated IP addresses or networks (CIDR);"
            f" got {_proxy!r}."
        ) from None
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# Password reset emails per hour from one client address and to one account: enough for a
# person who mistyped or lost a message, too few to flood a mailbox or probe many addresses.
# Counted in the cache; if the cache is down the reset still works (the limit fails open).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 10, minimum=1)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env_int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 3, minimum=1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sign a forgotten session out after this long without a request, so an unattended office
# computer does not stay signed in. Idle, not absolute: core.security pushes the expiry forward
# at most once a minute (SESSION_SAVE_EVERY_REQUEST would write the session on every page).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 8 * 60, minimum=5) * 60
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form controls' icons as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-month-year and a 24-hour clock in English too, as our customers in Europe expect.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_timezone("TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
# Bootstrap comes from its XStatic package at install time: nothing is loaded from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Uploaded files -------------------------------------------------------------------------

# Uploads (CSV imports) are private: kept here, read by the workers, never served by URL. With
# workers on several hosts this must be storage they all share.
MEDIA_ROOT = Path(env_str("PORTAL_MEDIA_DIR", str(VAR_DIR / "media")))
# The largest CSV import accepted (compressed size for a gzip file): a generous cap against a
# full disk, not a working limit (the import streams the file in chunks).
CONTACT_IMPORT_MAX_MB = env_int("CONTACT_IMPORT_MAX_MB", 2048, minimum=1)
# Rows per chunk of an import: one transaction, one bulk write and one progress update each.
CONTACT_IMPORT_CHUNK_ROWS = env_int("CONTACT_IMPORT_CHUNK_ROWS", 5000, minimum=1)
# Refused lines kept per pass of an import (shown and downloadable); all are counted.
CONTACT_IMPORT_PROBLEMS_KEPT = env_int("CONTACT_IMPORT_PROBLEMS_KEPT", 10_000, minimum=1)

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Service Standards Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Days staff get to acknowledge a major new version of a standard they were trained on.
TRAINING_REACK_DAYS = env_int("TRAINING_REACK_DAYS", 14, minimum=1)
# Four eyes: a version is published by a manager other than its author, unless the standard
# says otherwise (its own setting overrides this one).
STANDARDS_FOUR_EYES = env_bool("STANDARDS_FOUR_EYES", False)

# Breach alerts wait this long before they are sent, so that a breach a late event withdraws
# (a helpdesk that sends the first response a few seconds after the contact) is never announced.
SLA_ALERT_GRACE_SECONDS = env_int("SLA_ALERT_GRACE_SECONDS", 120, minimum=0)
# A breach whose deadline had passed this long before the portal learned of the contact (a
# backfill, an import of history) is recorded but not alerted.
SLA_ALERT_HISTORY_HOURS = env_int("SLA_ALERT_HISTORY_HOURS", 24, minimum=0)
# How many contacts one breach digest lists; the rest are counted, with a link to the list.
SLA_DIGEST_ITEMS = env_int("SLA_DIGEST_ITEMS", 50, minimum=1)
# PostgreSQL: SLA reports read the daily summary (sla_report_daily, kept by triggers on the
# contacts) instead of every contact; off, they read the contacts (the same figures, slower).
SLA_REPORT_SUMMARY = env_bool("SLA_REPORT_SUMMARY", True)
# A kiosk key is public by nature (it sits on a tablet in an office): these bound what a key in
# the wrong hands can do. Answers past the daily cap (per kiosk, its channel's local day) are
# refused; low scores open at most one follow-up per kiosk in this many hours, so managers are
# not flooded with follow-ups (the later answers are still stored and counted).
SURVEYS_KIOSK_DAILY_CAP = env_int("SURVEYS_KIOSK_DAILY_CAP", 500, minimum=1)
SURVEYS_KIOSK_FOLLOWUP_HOURS = env_int("SURVEYS_KIOSK_FOLLOWUP_HOURS", 1, minimum=0)
# Business hours managers get to follow up a low kiosk answer (a survey sets its own).
SURVEYS_FOLLOW_UP_BUSINESS_HOURS = env_int("SURVEYS_FOLLOW_UP_BUSINESS_HOURS", 24, minimum=1)
# Requests per minute one client address may make to the public survey pages, the kiosk and
# the public answer API (each counted apart); past it they answer 429 until the next minute.
SURVEYS_RATE_LIMIT = env_int("SURVEYS_RATE_LIMIT", 30, minimum=1)
# Seconds the SLA dashboard's figures (alike for every manager) are shared; 0 computes them
# on every request.
SLA_REPORT_DASHBOARD_CACHE_SECONDS = env_int("SLA_REPORT_DASHBOARD_CACHE_SECONDS", 60, minimum=0)

# The outbox retries a message this long before it gives up and shows it to managers as failed.
OUTBOX_RETRY_HOURS = env_int("OUTBOX_RETRY_HOURS", 48, minimum=1)
# SMTP connections the outbox sends over at once: a relay across a network answers each command
# after a round trip, so several connections keep it busy; more of them also let one statement
# mark more deliveries (bench/outbox.py: 8 beat 2 and 4 on two cores; a crash may repeat up to
# this many messages).
OUTBOX_CONNECTIONS = env_int("OUTBOX_CONNECTIONS", 8, minimum=1)
# Seconds before a mail server that stopped answering counts as down (Django's default: never).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)

# Links in emails are absolute: a task has no request to take the host from.
# The default is the address `make run` serves (its PORT), so links work out of the box.
PORTAL_BASE_URL = (
    env_url("PORTAL_BASE_URL", None, schemes=("http", "https"))
    or f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}"
).rstrip("/")

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    # django-filter's backend, its generated filters parsing like every outside value.
    "DEFAULT_FILTER_BACKENDS": ["core.fields.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"public": "30/minute"},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # The contract is JSON in and out: a form or multipart body answers 415, and the schema
    # lists application/json alone, which generated clients handle (lists in bodies included).
    # Our parser refuses deep nesting, NUL and lone surrogates with a 400 (see core.parsers).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Service Standards Portal API",
    "DESCRIPTION": "Push contacts, pull SLA and satisfaction reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Stable, unambiguous enum names in the schema that clients generate code from: one name
    # per set of choices, whichever field uses it.
    "ENUM_NAME_OVERRIDES": {
        "ChannelKindEnum": "channels_app.models.ChannelKind",
        "PriorityEnum": "sla.models.Priority",
        "MetricEnum": "sla.models.Metric",
        "ContactStatusEnum": "sla.models.Contact.Status",
        "LanguageEnum": LANGUAGES,
        "FirstResponseStateEnum": "sla.models.Contact.FirstResponseState",
        "ResolutionStateEnum": "sla.models.Contact.ResolutionState",
        "InvitationStatusEnum": "surveys.models.Invitation.Status",
        "VersionStatusEnum": "standards.models.versions.StandardVersion.Status",
        "ChangeKindEnum": "standards.models.versions.StandardVersion.ChangeKind",
        "GroupByEnum": "sla.reports.report.GROUP_BYS",
    },
    # A nullable choice is the enum or null, not a oneOf with a one-value "NullEnum" type.
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    # Every operation documents its error answers, and the token scheme says "Token <key>".
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api_schema.postprocess_errors",
    ],
}

# --- Quality ----------------------------------------------------------------------------------

# The QA evaluation score (%) at or above which an evaluation passes, for the scorecard's pass
# rate: neither design.md nor the standards' scoring defines one, so it is declared here.
QUALITY_EVALUATION_PASS_PCT = env_int("QUALITY_EVALUATION_PASS_PCT", 80, minimum=0)
if QUALITY_EVALUATION_PASS_PCT > 100:
    raise ImproperlyConfigured("QUALITY_EVALUATION_PASS_PCT must be between 0 and 100.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
