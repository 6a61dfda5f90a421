"""Django settings for Closed Stacks, read from ``CLOSEDSTACKS_*`` variables.

With no configuration at all it runs on a SQLite file under ``./var``. Every
value is validated here, at start-up; see :mod:`closedstacks.conf.env`.
The README lists every variable.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import zoneinfo
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from closedstacks.conf.env import (
    PREFIX,
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_secret,
    env_str,
    generated_secret,
    new_secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", "var")).expanduser().resolve()

DEMO = env_bool("DEMO", False)
DEBUG = env_bool("DEBUG", False)

# --- secrets --------------------------------------------------------------

SECRET_KEY = env_secret("SECRET_KEY") or generated_secret(DATA_DIR, "secret_key", new_secret_key)


def _audit_signing_key() -> bytes:
    """The Ed25519 private key (32-byte seed, base64) that signs audit checkpoints."""
    text = env_secret("AUDIT_SIGNING_KEY") or generated_secret(
        DATA_DIR, "audit_signing_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
    )
    try:
        seed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise ConfigError(PREFIX + "AUDIT_SIGNING_KEY", "must be 32 bytes encoded in base64 (44 characters)")
    return seed


AUDIT_SIGNING_KEY = _audit_signing_key()


def _encryption_keys() -> list[str]:
    """Fernet keys for secrets kept in the database (connector passwords). The first encrypts; the others
    still decrypt, so a key can be rotated by putting the new one first."""
    from cryptography.fernet import Fernet

    text = env_secret("ENCRYPTION_KEY") or generated_secret(
        DATA_DIR, "encryption_key", lambda: Fernet.generate_key().decode())
    keys = [part.strip() for part in text.split(",") if part.strip()]
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, binascii.Error):
            raise ConfigError(PREFIX + "ENCRYPTION_KEY", "each key must be a Fernet key (32 bytes, url-safe "
                                                         "base64, 44 characters), separated by commas") from None
    return keys


ENCRYPTION_KEYS = _encryption_keys()
AUDIT_CHECKPOINT_INTERVAL = env_int("AUDIT_CHECKPOINT_INTERVAL", 1000, minimum=1)
_anchor = env_str("AUDIT_ANCHOR_FILE", str(DATA_DIR / "audit-anchor.log"))
AUDIT_ANCHOR_FILE = Path(_anchor) if _anchor else None

# --- database -------------------------------------------------------------


def _database() -> dict:
    url = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'closedstacks.sqlite3'}")
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except (ValueError, KeyError) as exc:
        raise ConfigError(PREFIX + "DATABASE_URL", f"not a database URL ({exc.__class__.__name__})") from None
    engine = config.get("ENGINE", "")
    password = env_secret("DATABASE_PASSWORD")
    if password:
        config["PASSWORD"] = password
    if engine.endswith("sqlite3"):
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # Writers queue for the lock at BEGIN instead of failing when they
            # upgrade a read lock: the audit chain relies on this.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    elif engine.endswith("postgresql"):
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
        config["CONN_HEALTH_CHECKS"] = True
    else:
        raise ConfigError(PREFIX + "DATABASE_URL", "use a sqlite:/// or postgres:// URL")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- applications ---------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tables2",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "closedstacks.access",
    "closedstacks.accounts",
    "closedstacks.audit",
    "closedstacks.web",
    "closedstacks.library",
    "closedstacks.documents",
    "closedstacks.notices",
    "closedstacks.incidents",
    "closedstacks.training",
    "closedstacks.ils",
    "closedstacks.records",
    "closedstacks.retention",
    "closedstacks.transparency",
    "closedstacks.dashboard",
    "closedstacks.matters",
    "closedstacks.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "closedstacks.web.middleware.PermissionsPolicyMiddleware",
    "closedstacks.access.middleware.AccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "closedstacks.conf.urls"
WSGI_APPLICATION = "closedstacks.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "closedstacks.web.context.layout",
                "closedstacks.notices.context.unread",
                "closedstacks.demo.context.demo",
            ],
        },
    }
]

# --- accounts and authentication -------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "Closed Stacks")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Lockout after repeated failed logins (django-axes). A locked account stays
# locked for LOCKOUT_MINUTES, or until an admin unlocks it (0 = until unlocked).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
_lockout_minutes = env_int("LOCKOUT_MINUTES", 30, minimum=0)
AXES_COOLOFF_TIME = (_lockout_minutes / 60) if _lockout_minutes else None
# Lock the account being guessed, wherever the guesses come from. Not by IP
# address: a whole branch often shares one, and one person's typos must not
# lock out the desk. (Axes warns about this choice; it is deliberate.)
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are on the audit trail instead
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token"]

# Sessions end after SESSION_IDLE_MINUTES without a request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# A change that could hand someone a privileged account (closedstacks.accounts.approvals) waits this long for a
# second person, then expires; the one-time link that then reaches the account's owner by e-mail lasts
# ACCOUNT_LINK_HOURS.
ACCOUNT_APPROVAL_HOURS = env_int("ACCOUNT_APPROVAL_HOURS", 24, minimum=1, maximum=14 * 24)
ACCOUNT_LINK_HOURS = env_int("ACCOUNT_LINK_HOURS", 24, minimum=1, maximum=7 * 24)
# The notices app sits above accounts in the layers (pyproject.toml): accounts reaches its notify() through this
# setting, the way Django reaches a backend, rather than by importing upwards.
ACCOUNT_NOTIFY = "closedstacks.notices.services.notify"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "closedstacks_session"
CSRF_COOKIE_NAME = "closedstacks_csrf"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads it to send the token on its requests
CSRF_FAILURE_VIEW = "closedstacks.web.views.csrf_failure"

# --- HTTP security -------------------------------------------------------------

HTTPS = env_bool("HTTPS", not (DEMO or DEBUG))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS  # the language chosen in the footer: as guarded as the other cookies
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000, minimum=0) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# --- rate limits -----------------------------------------------------------------

# Sign-in attempts per client address, and the API's changes (POST, PUT, PATCH, DELETE) per account and per
# client address (a branch often shares one address), counted by closedstacks.access.throttle with django-ninja's
# throttles. "off" turns one off. Beyond the limit: 429, and Retry-After says when to try again.
SIGN_IN_RATE = env_rate("SIGN_IN_RATE", "20/min")
API_WRITE_RATE = env_rate("API_WRITE_RATE", "60/min")
API_WRITE_RATE_PER_ADDRESS = env_rate("API_WRITE_RATE_PER_ADDRESS", "300/min")
# The client's address: REMOTE_ADDR, or behind PROXY_COUNT proxies (each adding to X-Forwarded-For) the address
# the one clients connect to saw: django-ninja's rule. Never the whole header, which the client could write.
NINJA_NUM_PROXIES = env_int("PROXY_COUNT", 1, minimum=1, maximum=10) if BEHIND_PROXY else 0
# The counts are kept in a database table (made by the access app's migration), so that every web worker and
# thread counts the same requests; the default cache stays in memory, per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "closedstacks_throttle",
                 "OPTIONS": {"MAX_ENTRIES": 20_000}},
}

# --- e-mail ------------------------------------------------------------------------

EMAIL_HOST = env_str("SMTP_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("SMTP_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("SMTP_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("SMTP_STARTTLS", True)
    EMAIL_USE_SSL = env_bool("SMTP_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ConfigError(PREFIX + "SMTP_SSL", f"cannot be used together with {PREFIX}SMTP_STARTTLS")
    EMAIL_TIMEOUT = 20
else:
    # Without an SMTP server, messages are written to files an operator can read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = env_str("MAIL_FROM", "closedstacks@localhost")
# Where people reach this service: links in e-mail start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- background jobs ---------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}

# --- language, time, static files ------------------------------------------------------

LANGUAGE_CODE = "en"
# Forms: Django's renderer, with the common widgets drawn in Python (web/rendering.py says why).
FORM_RENDERER = "closedstacks.web.rendering.Renderer"

LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ConfigError(PREFIX + "TIME_ZONE", f"unknown time zone {TIME_ZONE!r}") from None

# Uploaded documents (instruments as presented): PDF, JPEG or PNG, checked by content.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20, minimum=1, maximum=200) * 1_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "files"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

DJANGO_TABLES2_TEMPLATE = "web/table.html"

# Nothing about a library user ever goes to a log: messages name records by
# reference only, and request logging is limited to method, path and status.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"],
             "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()},
    # WeasyPrint reports each layout step at INFO: noise next to what an operator needs to read.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
