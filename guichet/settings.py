"""Guichet settings, read from the environment (see .env.example)."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines from a .env file without overriding the real environment."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_load_env_file(BASE_DIR / ".env")

DEBUG = env_bool("GUICHET_DEBUG", False)
# Demo mode (python3 dev.py run, the tests): demo data may be built and a development key
# is accepted. Off by default, so that a production deployment fails closed.
GUICHET_DEMO = env_bool("GUICHET_DEMO", False)
_TESTING = "pytest" in sys.modules
SECRET_KEY = env("GUICHET_SECRET_KEY") or (
    "insecure-development-key-change-me" if DEBUG or GUICHET_DEMO or _TESTING else ""
)
if not SECRET_KEY:
    raise RuntimeError(
        "GUICHET_SECRET_KEY must be set (a long random string), or GUICHET_DEMO=1 for a demo."
    )
ALLOWED_HOSTS = [
    h for h in env("GUICHET_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env("GUICHET_CSRF_TRUSTED_ORIGINS").split(",") if o]
SITE_URL = env("GUICHET_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
VAR_DIR = Path(env("GUICHET_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "guichet.core",
    "guichet.accounts",
    "guichet.authorities",
    "guichet.contacts",
    "guichet.cases",
    "guichet.interactions",
    "guichet.mailbox",
    "guichet.register",
    "guichet.telephony",
    "guichet.letters",
    "guichet.routing",
    "guichet.knowledge",
    "guichet.territories",
    "guichet.reports",
    "guichet.api",
    "guichet.demo",
    "guichet.www.backoffice",
    "guichet.www.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "guichet.core.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "guichet.urls"
WSGI_APPLICATION = "guichet.wsgi.application"

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
                "django.template.context_processors.i18n",
                "guichet.core.context_processors.guichet",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'guichet.sqlite3'}"),
        conn_max_age=env_int("GUICHET_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
            ),
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env("GUICHET_TEST_SQLITE", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "guichet.accounts.passwords.CnilPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("GUICHET_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env("GUICHET_MEDIA_ROOT", str(VAR_DIR / "media"))))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]

# Email: SMTP by default when a host is set, else written to the console.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "guichet@localhost")

TASKS = {
    "default": {
        "BACKEND": env("GUICHET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Cookies only over HTTPS in production; a demo or development instance runs on plain HTTP.
SESSION_COOKIE_SECURE = env_bool("GUICHET_SECURE_COOKIES", not (DEBUG or GUICHET_DEMO or _TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("GUICHET_SESSION_AGE", 8 * 3600)
# Behind a reverse proxy that terminates HTTPS and sets X-Forwarded-Proto. The proxies in
# front of the application that append the sender's address to X-Forwarded-For (1 for one
# nginx): the rate limits then count people, not the proxy. 0 trusts no such header.
GUICHET_TRUSTED_PROXIES = env_int(
    "GUICHET_TRUSTED_PROXIES", 1 if env_bool("GUICHET_BEHIND_HTTPS_PROXY") else 0
)
if env_bool("GUICHET_BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("GUICHET_HSTS_SECONDS", 31536000)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("GUICHET_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Cache: a folder shared by the web processes of one server; several servers point
# GUICHET_CACHE_LOCATION at a shared service (e.g. a Redis URL with the Redis backend).
CACHES = {
    "default": {
        "BACKEND": env(
            "GUICHET_CACHE_BACKEND", "django.core.cache.backends.filebased.FileBasedCache"
        ),
        "LOCATION": env("GUICHET_CACHE_LOCATION", str(VAR_DIR / "cache")),
    }
}
GUICHET_LOGIN_MAX_FAILURES = env_int("GUICHET_LOGIN_MAX_FAILURES", 10)
GUICHET_LOGIN_BLOCK_SECONDS = env_int("GUICHET_LOGIN_BLOCK_SECONDS", 15 * 60)

# Business limits, overridable per deployment.
GUICHET_ATTACHMENT_MAX_BYTES = env_int("GUICHET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
GUICHET_ATTACHMENT_MAX_COUNT = env_int("GUICHET_ATTACHMENT_MAX_COUNT", 10)
GUICHET_QUEUE_PAGE_SIZE = env_int("GUICHET_QUEUE_PAGE_SIZE", 25)

# Recurring jobs: name -> (task, interval in seconds), enqueued by `guichet periodic`.
GUICHET_PERIODIC_JOBS = {
    "outgoing_mail_sweep": ("guichet.interactions.tasks.outgoing_mail_sweep", 300),
    "routing_models_train_all": ("guichet.routing.tasks.routing_models_train_all", 86400),
    "contact_match_keys_backfill": ("guichet.contacts.tasks.contact_match_keys_backfill", 600),
    "acknowledgements_send_due": (
        "guichet.letters.acknowledgement_tasks.acknowledgements_send_due",
        env_int("GUICHET_ACKNOWLEDGEMENT_EVERY_SECONDS", 900),
    ),
    "mailboxes_poll": (
        "guichet.mailbox.tasks.mailboxes_poll",
        env_int("GUICHET_MAIL_POLL_SECONDS", 60),
    ),
    "outgoing_sms_sweep": ("guichet.telephony.tasks.outgoing_sms_sweep", 300),
    "report_notifications_sweep": ("guichet.reports.tasks.report_notifications_sweep", 600),
    "database_statistics_refresh": ("guichet.core.tasks.database_statistics_refresh", 86400),
}

# --- Incoming email (guichet.mailbox) ---
# IMAP polling: certificates are verified against the system's authorities, or against this
# file (PEM) for a private one. Messages taken per mailbox and per run, and the network timeout.
GUICHET_IMAP_CA_FILE = env("GUICHET_IMAP_CA_FILE")
GUICHET_IMAP_TIMEOUT = env_int("GUICHET_IMAP_TIMEOUT", 30)
GUICHET_IMAP_BATCH = env_int("GUICHET_IMAP_BATCH", 50)
# Largest message accepted (the SMTP receiver answers 552 above; the poller leaves it unread).
GUICHET_INBOUND_MAX_BYTES = env_int("GUICHET_INBOUND_MAX_BYTES", 25 * 1024 * 1024)
# More messages than this from one sender within an hour are held in quarantine: the mark of
# an autoresponder answering every receipt (0: no limit).
GUICHET_INBOUND_MAX_PER_SENDER_HOUR = env_int("GUICHET_INBOUND_MAX_PER_SENDER_HOUR", 20)
# Outgoing email on a case asks for replies at mailbox+<token>@domain, which finds the case
# whoever answers; turn off when the mail server does not deliver such sub-addresses.
GUICHET_INBOUND_REPLY_TOKENS = env_bool("GUICHET_INBOUND_REPLY_TOKENS", True)
# The SMTP receiver (`manage.py mail_smtpd`), behind the authority's mail server.
GUICHET_SMTPD_HOST = env("GUICHET_SMTPD_HOST", "127.0.0.1")
GUICHET_SMTPD_PORT = env_int("GUICHET_SMTPD_PORT", 2525)

# --- Postal mail register (guichet.register) ---
# A registered letter nobody has followed up after this many days shows as an alert to its
# service and the service's manager.
GUICHET_REGISTER_FOLLOW_UP_DAYS = env_int("GUICHET_REGISTER_FOLLOW_UP_DAYS", 8)
GUICHET_REGISTER_PAGE_SIZE = env_int("GUICHET_REGISTER_PAGE_SIZE", 50)
# Rows of an export of the register, at most (a year of a large town fits).
GUICHET_REGISTER_EXPORT_MAX_ROWS = env_int("GUICHET_REGISTER_EXPORT_MAX_ROWS", 50000)

# --- Phone and SMS (guichet.telephony) ---
# Share of the calls offered that an agent picks up (Services Publics+ target: 85%).
GUICHET_PHONE_PICKUP_TARGET = float(env("GUICHET_PHONE_PICKUP_TARGET", "0.85"))
# A missed call waits this many days in the "to call back" list.
GUICHET_CALLBACK_DAYS = env_int("GUICHET_CALLBACK_DAYS", 14)
GUICHET_SWITCHBOARD_MAX_BYTES = env_int("GUICHET_SWITCHBOARD_MAX_BYTES", 5 * 1024 * 1024)
# Column names of the switchboard's CSV export, when the usual headers are not recognised:
# "date=Jour,time=Heure,caller=Appelant,line=Ligne,talk=Durée,ring=Attente,status=Statut".
GUICHET_SWITCHBOARD_COLUMNS = env("GUICHET_SWITCHBOARD_COLUMNS")
# Text messages: "http" (a provider taking JSON with a bearer token), "console" (printed,
# for development) or a dotted path to a gateway class; empty: no SMS.
GUICHET_SMS_BACKEND = env("GUICHET_SMS_BACKEND")
GUICHET_SMS_URL = env("GUICHET_SMS_URL")
GUICHET_SMS_TOKEN = env("GUICHET_SMS_TOKEN")
GUICHET_SMS_SENDER = env("GUICHET_SMS_SENDER")
GUICHET_SMS_TIMEOUT = env_int("GUICHET_SMS_TIMEOUT", 10)
GUICHET_SMS_MAX_SEGMENTS = env_int("GUICHET_SMS_MAX_SEGMENTS", 6)
# Shared secret the gateway signs its calls with (HMAC-SHA256 of the body).
GUICHET_SMS_WEBHOOK_SECRET = env("GUICHET_SMS_WEBHOOK_SECRET")

# --- Acknowledgements, reply templates and letters (guichet.letters) ---
# Working days within which an electronic request gets its acknowledgement of receipt
# (CRPA R112-11-1: 10; an older text said 7). Each authority may set its own.
GUICHET_ACKNOWLEDGEMENT_DELAY_DAYS = env_int("GUICHET_ACKNOWLEDGEMENT_DELAY_DAYS", 10)

# --- Problem reports / map ---
# Map tiles behind the territories' outlines (and report locations), as a Leaflet URL
# template such as "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png" or the authority's
# own tile server. Empty: no tiles, the outlines on a plain background (a closed network).
GUICHET_MAP_TILE_URL = env("GUICHET_MAP_TILE_URL")
GUICHET_MAP_TILE_ATTRIBUTION = env("GUICHET_MAP_TILE_ATTRIBUTION")

# --- Problem reports: photos and geocoding ---
# Photos sent with a report: the largest file accepted, how many per report, the most
# pixels (a photo's header is checked before it is decoded, against decompression bombs),
# and the public copies made of each (no metadata kept): longest side of the display copy
# and of the thumbnail, format ("jpeg" or "webp") and quality.
GUICHET_PHOTO_MAX_BYTES = env_int("GUICHET_PHOTO_MAX_BYTES", 15 * 1024 * 1024)
GUICHET_PHOTO_MAX_COUNT = env_int("GUICHET_PHOTO_MAX_COUNT", 5)
GUICHET_PHOTO_MAX_PIXELS = env_int("GUICHET_PHOTO_MAX_PIXELS", 50_000_000)
GUICHET_PHOTO_DISPLAY_SIZE = env_int("GUICHET_PHOTO_DISPLAY_SIZE", 1600)
GUICHET_PHOTO_THUMBNAIL_SIZE = env_int("GUICHET_PHOTO_THUMBNAIL_SIZE", 400)
GUICHET_PHOTO_FORMAT = env("GUICHET_PHOTO_FORMAT", "jpeg")
GUICHET_PHOTO_QUALITY = env_int("GUICHET_PHOTO_QUALITY", 82)
# Address search and reverse geocoding: the base URL of a service speaking the protocol of
# the national address base (Base Adresse Nationale: /search/ and /reverse/). Empty: no
# geocoder, a report keeps the point placed on the map alone. Seconds to wait for an answer,
# and how long answers are kept in the cache.
GUICHET_GEOCODER_URL = env("GUICHET_GEOCODER_URL")
GUICHET_GEOCODER_TIMEOUT = float(env("GUICHET_GEOCODER_TIMEOUT", "3"))
GUICHET_GEOCODER_CACHE_SECONDS = env_int("GUICHET_GEOCODER_CACHE_SECONDS", 3600)
# Open reports of the same category this close (metres) and this recent (days) are shown
# before a new one is sent, so that the person can follow one instead; a category may
# set its own (ReportCategorySettings).
GUICHET_REPORT_NEARBY_RADIUS_METERS = env_int("GUICHET_REPORT_NEARBY_RADIUS_METERS", 50)
GUICHET_REPORT_NEARBY_DAYS = env_int("GUICHET_REPORT_NEARBY_DAYS", 30)
# Public forms and reads, per sending address: reports and "me too" sent from the portal per
# hour (a town hall's public Wi-Fi shares one address: keep it generous), and Open311 reads
# per minute by a client without an API key (a key has its own rate).
GUICHET_REPORT_SUBMISSIONS_PER_HOUR = env_int("GUICHET_REPORT_SUBMISSIONS_PER_HOUR", 30)
GUICHET_OPEN311_ANONYMOUS_RATE = env_int("GUICHET_OPEN311_ANONYMOUS_RATE", 120)
