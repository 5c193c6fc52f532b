"""Settings for the Citizen Science Network portal.

One module, configured only through environment variables. Parsing is strict: a variable that is
set to something unparseable is an error naming the variable, never a silent default. With
``DEBUG`` off the site refuses to start without a real ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``SITE_URL``. With nothing set but ``DEBUG=True`` (what ``make run`` does) it runs on the embedded
default: SQLite under ``var/``, Celery tasks run eagerly, email printed and written under
``var/mail/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable must be "True" or "False" (any case); anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"true", "1", "yes", "on"}:
        return True
    if value in {"false", "0", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...]) -> str:
    raw = env_str(name, default)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, "
            f"not {raw!r}."
        )
    return raw


DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "dev-only-key-not-for-production-use-0123456789-abcdefghijklmnopqrstuvwxyz"
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
SITE_URL = env_url("SITE_URL", schemes=("http", "https")).rstrip("/")

if DEBUG:
    SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
    SITE_URL = SITE_URL or "http://127.0.0.1:8000"
else:
    if len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names when DEBUG is off.")
    if not SITE_URL:
        raise ImproperlyConfigured("SITE_URL must be set (e.g. https://example.org) when DEBUG is off.")

SITE_NAME = "Citizen Science Network"

INSTALLED_APPS = [
    # Before the admin, so that its admin classes and widgets take precedence (its documentation).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.sites",
    "django.contrib.syndication",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "csp",
    # The portal's own apps, from the bottom layer up (see README, "Layout").
    "core",
    "outbox",
    "network",
    "events",
    "projects",
    "infrastructure",
    "webinars",
    "mailing",
    "portal",
    "seeds",
]
# The apps whose every permission the "Network coordinators" group holds (kept complete after
# every migrate by network.services.ensure_coordinator_groups).
NETWORK_COORDINATOR_APPS = [
    "core", "outbox", "network", "events", "projects", "infrastructure", "webinars", "mailing", "portal",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: staff without a second factor go to the TOTP set-up page when a
    # network coordinator requires one (core.SecurityPolicy).
    "core.security.RequireSecondFactorMiddleware",
    # Last, so the page it renders passes through the others: allauth's 429s get Retry-After
    # and a page stating the same wait.
    "core.middleware.RetryAfterMiddleware",
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
                "portal.context_processors.site",
                "network.context_processors.network_contact",
            ],
        },
    },
    # Plain-text email parts and subjects: the same templates folder, without HTML escaping
    # ("Smith & Co" must not arrive as "Smith &amp; Co"). Used explicitly by outbox.services.
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False},
    },
]
# Form templates (templates/forms/form.html) are looked up in the project's TEMPLATES.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite under var/ by default; PostgreSQL (psycopg 3) via DATABASE_URL.
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A PostgreSQL host that does not answer costs a connection attempt this long, not libpq's
    # default of waiting for ever (a cached page is still served then, without its seats).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5, minimum=1))
else:
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    if DATABASES["default"]["NAME"] and DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker and cache. Unset means Celery runs tasks eagerly and the cache is in memory.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))

# Redis only makes the site faster. A Redis that is down or hung (accepts connections, never
# answers) costs one of these timeouts, then core.cache's circuit breaker skips it for
# BREAKER_INTERVAL seconds in that process while a local-memory stand-in answers (so allauth's
# rate limits keep counting). redis-py makes no retries here (none are configured).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3, "BREAKER_INTERVAL": 5}
CACHES: dict[str, dict] = {
    "default": (
        {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_CACHE_OPTIONS}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}
# Public forms are rate-limited per client and per submitted address; counters live in the
# database (core.ratelimit), so the limits hold while Redis is down. Off only where a
# benchmark must hammer one form from one address.
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
# How many reverse proxies in front of the site append to X-Forwarded-For (0: none, use the
# connection's address). Behind one nginx, 1.
RATELIMIT_TRUSTED_PROXIES = env_int("RATELIMIT_TRUSTED_PROXIES", 0)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when Redis is down or hung: the outbox sweep re-queues
# later. A hung broker costs one attempt and one retry, 2 × 0.5 s; after that the broker's
# circuit breaker (core.breaker, used by outbox.tasks.enqueue and /healthz) skips it for a few
# seconds per process. (The worker's BRPOP runs in its event loop, where socket_timeout does
# not apply; kombu's health checks watch that connection.)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")

# Email: SMTP via EMAIL_URL; by default printed to the console and written under var/mail/.
EMAIL_URL = env_url("EMAIL_URL", schemes=("smtp", "smtps", "submission", "console", "file", "memory", "dummy"))
if EMAIL_URL:
    _email = dj_email_url.parse(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT") or 10
    if _email.get("EMAIL_FILE_PATH"):
        EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = "outbox.mail_backends.ConsoleAndFileBackend"
    EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = globals().get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Citizen Science Network <network@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where applications, questions and feedback for the network's coordinators go.
NETWORK_COORDINATOR_EMAILS = env_list("NETWORK_COORDINATOR_EMAILS", [])

# Zoom's API (webinars.zoom), used only when all three credentials of a server-to-server OAuth
# app are set; without them nothing calls Zoom and the coordinator's shared join link is used.
ZOOM_ACCOUNT_ID = env_str("ZOOM_ACCOUNT_ID")
ZOOM_CLIENT_ID = env_str("ZOOM_CLIENT_ID")
ZOOM_CLIENT_SECRET = env_str("ZOOM_CLIENT_SECRET")
# The app's webhook secret token: verifies x-zm-signature on /webinars/zoom/webhook/.
ZOOM_WEBHOOK_SECRET_TOKEN = env_str("ZOOM_WEBHOOK_SECRET_TOKEN")
ZOOM_API_URL = env_url("ZOOM_API_URL", "https://api.zoom.us/v2", schemes=("https", "http"))
ZOOM_OAUTH_URL = env_url("ZOOM_OAUTH_URL", "https://zoom.us/oauth/token", schemes=("https", "http"))
ZOOM_TIMEOUT = 10

# Languages: English at /, Slovenian under /sl/.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sl", _("Slovenian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and time format per language, everywhere (portal/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
# Record content in both languages (``<app>/translation.py`` names the fields; each gets ``_en``
# and ``_sl`` columns). A missing value falls back to the other language, and templates mark the
# fallback with its own ``lang`` (``core.content``). English is the default: the seeds are English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "sl")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "sl")}
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Ljubljana")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone name, not {TIME_ZONE!r}.") from None

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
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
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Accounts: coordinators log in with email and password through allauth; no public sign-up.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The adapter (portal.accounts) writes every allauth email to the outbox, builds its links from
# SITE_URL, keys the per-account login limit by client address and account, and delays logins
# to an account under attack instead of locking its owner out.
ACCOUNT_ADAPTER = "portal.accounts.CoordinatorAccountAdapter"
# An address logs in only once its owner has confirmed it (accounts made in the admin confirm
# theirs at the first login); one added at /accounts/email/ too.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Nothing is sent to an address that has no account ("unknown account" mails).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# A coordinator needs one or two; fewer addresses to send confirmations to from one account.
ACCOUNT_MAX_EMAIL_ADDRESSES = 3
ACCOUNT_RATE_LIMITS = {
    # Per client address; and per client address + account ("key", see portal.accounts).
    "login_failed": "10/m/ip,5/5m/key",
    # Adding, removing, re-sending at /accounts/email/; one confirmation per address per 3 minutes.
    "manage_email": "10/h/user",
    "confirm_email": "1/3m/key",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/admin/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Optional second factor for coordinators (allauth.mfa): an authenticator app and recovery codes.
# A network coordinator can make it compulsory for staff in the admin (core.SecurityPolicy).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Security. HSTS and secure cookies only where the site is served over HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SITE_URL.startswith("https://"))
    SESSION_COOKIE_SECURE = SITE_URL.startswith("https://")
    CSRF_COOKIE_SECURE = SITE_URL.startswith("https://")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SITE_URL.startswith("https://") else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL else []

# Content-Security-Policy (django-csp): nothing inline, nothing from other hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Retention of personal data (portal.privacy, run daily by Celery beat); the privacy notice
# shows these numbers.
RETENTION_REGISTRATION_DAYS = env_int("RETENTION_REGISTRATION_DAYS", 180, minimum=1)
RETENTION_OUTBOX_DAYS = env_int("RETENTION_OUTBOX_DAYS", 90, minimum=1)
RETENTION_UNCONFIRMED_DAYS = env_int("RETENTION_UNCONFIRMED_DAYS", 7, minimum=1)
RETENTION_AUDIT_DAYS = env_int("RETENTION_AUDIT_DAYS", 730, minimum=1)
# How long the outbox keeps retrying a message SMTP refuses for now (4xx, no connection), counted
# from its first attempt; then it is failed, logged as an ERROR and counted in the admin.
OUTBOX_RETRY_HOURS = env_int("OUTBOX_RETRY_HOURS", 72, minimum=1)
# What a request has to tell others after its commit is told this many milliseconds later from a
# thread, together with what the next few requests had to (core.handover): a new message's id to
# Celery (outbox.handover), a registrant's Zoom sync to Celery (webinars.signals), a change of seat
# counts to Redis (core.cache); 0 tells each at once.
HANDOVER_MS = env_int("HANDOVER_MS", 100)


# No own-page token in a log line: every handler redacts /events/registration/<token>/
# (core.log_filters; gunicorn's access log likewise, see gunicorn.conf.py). Django's own handlers
# are replaced ("django" without handlers of its own: its records reach the root's console,
# redacted; "django.server", runserver's request lines, redacted too). The loggers that put a
# request's path in their messages redact it themselves as well, before any handler sees it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_private_links": {"()": "core.log_filters.RedactPrivateLinks"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_private_links"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_private_links"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"level": "INFO"},
        "django.request": {"filters": ["redact_private_links"]},
        "django.security.csrf": {"filters": ["redact_private_links"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
