"""Settings of the TEMA–WTC master's management system.

One module, driven by environment variables (django-environ). The embedded default
(no variable set) is a development set-up: DEBUG on, SQLite and Celery's file-system
broker under ``var/``, e-mails printed on the console. Production sets at least
``DEBUG=off``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``CELERY_BROKER_URL``,
``SITE_URL`` and ``EMAIL_URL``; a required value that is missing stops the start with
a message naming it.
"""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets ModelAdmin[Model] and friends be subscripted at run time, as the type checker sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-never-used-in-production")
else:
    # No default: a production start without a secret fails here, loudly.
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")


def default_site_url(port: str | None) -> str:
    """The development base of links and QR codes: the port served (``make run`` exports
    ``PORT``), 8000 when none is said."""
    return f"http://127.0.0.1:{port or 8000}"


if DEBUG:
    ALLOWED_HOSTS: list[str] = env.list(
        "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
    SITE_URL: str = env.str(
        "SITE_URL", default=default_site_url(env.str("PORT", default=""))
    ).rstrip("/")
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    # Absolute base of the links in e-mails and of the QR codes on certificates.
    SITE_URL = env.str("SITE_URL").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_ratelimit",
    "csp",
    "core",
    "accounts",
    "config",
    "partners",
    "curriculum",
    "enrollment",
    "finance",
    "studies",
    "certificates",
]

MIDDLEWARE = [
    "core.requestid.RequestIdMiddleware",
    "core.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # The embedded default serves several requests and a worker at once: WAL lets readers
    # go on while one connection writes, IMMEDIATE takes the write lock when a transaction
    # starts (so two writers queue instead of one failing with "database is locked" when it
    # upgrades a read lock), and the busy timeout is how long a writer waits for its turn.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://tema")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis outage must not break log-in or verification: a local fallback (core/cache.py).
    CACHES["default"]["BACKEND"] = "core.cache.ResilientRedisCache"
    # django-ratelimit names only django-redis as "supported"; Django's own Redis cache (which
    # this one extends) has the atomic add/incr the limits need.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The embedded default is one process, where a local-memory cache is shared enough for
    # the rate limits; several web processes need CACHE_URL=rediscache://… (README).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Applicants' documents and certificates: never under a public URL, served by views.
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# Uploads and imports (core/limits.py, core/spreadsheets.py): a request body over
# REQUEST_MAX_BYTES is answered 413 unread (nginx: client_max_body_size to match); an import
# file over IMPORT_MAX_BYTES or IMPORT_MAX_ROWS is refused whole, never cut; a workbook that
# would unpack to more than XLSX_MAX_UNCOMPRESSED_BYTES, or a member compressed more than
# XLSX_MAX_COMPRESSION_RATIO times, is refused before it is opened.
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=32 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5_000)
XLSX_MAX_UNCOMPRESSED_BYTES = env.int("XLSX_MAX_UNCOMPRESSED_BYTES", default=20_000_000)
XLSX_MAX_COMPRESSION_RATIO = env.int("XLSX_MAX_COMPRESSION_RATIO", default=100)
# Where `manage.py backup` writes its archives (keep a copy off this machine too).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files are written under a temporary name and moved into place complete (core/storage.py).
STORAGES = {
    "default": {"BACKEND": "core.storage.AtomicFileSystemStorage"},
    "private": {
        "BACKEND": "core.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, loading ``request.user`` with its unread notifications counted
# in the same query (the page header's number, accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id for every new hash; a PBKDF2 hash of an older account is re-hashed with Argon2id
# at its next log-in (Django does so for any hasher after the first).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "me"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[TEMA–WTC] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# How many reverse proxies in front of the site append to X-Forwarded-For (nginx: 1); the
# client address every limit counts is read behind them (core/clientip.py). 0: no proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "core.clientip.client_ip"
# Failed log-ins: five in a row for one account lock it for five minutes (whoever tries);
# one address may fail 60 times a minute, and log in 300 times a minute, so a classroom
# behind one NAT address logs in, while a script trying passwords is stopped by the account
# limit.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "60/m/ip,5/300s/key",
    "signup": "20/m/ip",
}
ACCOUNT_SESSION_REMEMBER = None

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "TEMA–WTC Master"
# One 30-second step of clock drift either way, as RFC 6238 recommends.
MFA_TOTP_TOLERANCE = 1
# Dangerous actions (a role change, a revocation, a jury reopened) need a second factor
# passed, or a re-authentication, within the last five minutes (accounts/access.py).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "tema_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Africa/Algiers"
# Dates day first and one decimal separator per language (config/formats/__init__.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Master TEMA–WTC <no-reply@tema-wtc.dz>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Nobody reads the sender's mailbox: admissions e-mails name the coordination as Reply-To.
COORDINATION_EMAIL = env.str(
    "COORDINATION_EMAIL", default="Coordination Master TEMA–WTC <coordination@tema-wtc.dz>"
)
# The site's name in e-mails (allauth's ``current_site.name`` too), in the reader's language.
SITE_NAME = _("TEMA–WTC Master")

# --- Finance ----------------------------------------------------------------------------------
# The institute's legal identifiers, printed on every invoice, credit note and receipt.
FINANCE_ISSUER = {
    "name_fr": env.str(
        "FINANCE_ISSUER_NAME_FR", default="Institut de technologie et de management d'Alger (TEMA)"
    ),
    "name_ar": env.str("FINANCE_ISSUER_NAME_AR", default="معهد التكنولوجيا والتسيير بالجزائر"),
    "address": env.str("FINANCE_ISSUER_ADDRESS", default="Alger, Algérie"),
    "nif": env.str("FINANCE_NIF", default="000000000000000"),
    "nis": env.str("FINANCE_NIS", default="000000000000000"),
    "rc": env.str("FINANCE_RC", default="16/00-0000000B00"),
    "article": env.str("FINANCE_ARTICLE", default="16000000000"),
    "bank_account": env.str("FINANCE_BANK_ACCOUNT", default=""),
}
# Payment reminders: days before (negative) and after each due date.
# A statement with more lines to record than this is recorded by the worker, not in the
# request (finance.services.statements.statement_confirm_start): ~60–90 ms a line.
FINANCE_STATEMENT_LINES_AT_ONCE = env.int("FINANCE_STATEMENT_LINES_AT_ONCE", default=100)
FINANCE_REMINDER_DAYS: list[int] = env.list(
    "FINANCE_REMINDER_DAYS", cast=int, default=[-7, 1, 15, 30]
)
# Where payers write back about their fees (Reply-To of finance's e-mails).
FINANCE_EMAIL = env.str("FINANCE_EMAIL", default=COORDINATION_EMAIL)
# The accounting export (finance/journal.py): accounts of the Algerian SCF and journal codes.
FINANCE_ACCOUNTS = {
    "receivable": env.str("FINANCE_ACCOUNT_RECEIVABLE", default="411"),  # clients
    "revenue": env.str("FINANCE_ACCOUNT_REVENUE", default="706"),  # prestations de services
    "advances": env.str("FINANCE_ACCOUNT_ADVANCES", default="4191"),  # avances clients
    "bank": env.str("FINANCE_ACCOUNT_BANK", default="512"),  # banque
    "ccp": env.str("FINANCE_ACCOUNT_CCP", default="517"),  # autres organismes financiers
    "cash": env.str("FINANCE_ACCOUNT_CASH", default="53"),  # caisse
}
FINANCE_JOURNALS = {
    "sales": env.str("FINANCE_JOURNAL_SALES", default="VT"),
    "bank": env.str("FINANCE_JOURNAL_BANK", default="BQ"),
    "ccp": env.str("FINANCE_JOURNAL_CCP", default="CCP"),
    "cash": env.str("FINANCE_JOURNAL_CASH", default="CA"),
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "store_processed": False,
        # The file-system transport reads one message per poll: poll often.
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # > CELERY_TASK_TIME_LIMIT
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process is replaced after this many tasks or this much memory (KiB): long runs
# stay flat. The broker redelivers an unacknowledged task after its visibility timeout,
# longer than the longest task.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=400_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Where tasks go unless routed: a deployment (or a test) may give its workers their own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Every Celery process touches its heartbeat row this often (seconds); one silent for
# WORKER_HEARTBEAT_STALE seconds is dead: its claims may be taken over (core/workers.py).
WORKER_HEARTBEAT_INTERVAL = env.float("WORKER_HEARTBEAT_INTERVAL", default=5.0)
WORKER_HEARTBEAT_STALE = env.int("WORKER_HEARTBEAT_STALE", default=20)
# A certificate claimed this many seconds ago and still rendering is orphaned whatever its
# worker's heartbeat says: one render takes well under a second, so it is hung. (Its late
# result is discarded: the ready mark is conditional on the claim.)
CERTIFICATES_STUCK_AFTER = env.int("CERTIFICATES_STUCK_AFTER", default=120)
# A pending certificate queued this long ago and still not taken: its message was lost (a
# worker died with it reserved); the sweep sends it again (rendering stays once: the claim).
CERTIFICATES_REQUEUE_AFTER = env.int("CERTIFICATES_REQUEUE_AFTER", default=60)
# A student's own certificate requests: at most this many in an hour (coordinators: no limit).
CERTIFICATE_REQUESTS_PER_HOUR = env.int("CERTIFICATE_REQUESTS_PER_HOUR", default=6)
# Files no row names are reported by the hourly sweep, and removed after this grace period.
FILES_ORPHAN_GRACE = env.int("FILES_ORPHAN_GRACE", default=24 * 3600)
# Periodic jobs, run by exactly one `celery beat` (make run starts it inside the worker).
CELERY_BEAT_SCHEDULE = {
    "agreements-expiring": {
        "task": "partners.tasks.notify_expiring_agreements",
        "schedule": crontab(hour=7, minute=0),
    },
    # Agreements whose partners are behind or beyond the co-teaching hours promised
    # (studies/services/hours_alerts.py), each once per academic year: Sundays.
    "co-teaching-hours": {
        "task": "studies.tasks.alert_co_teaching_hours",
        "schedule": crontab(day_of_week=0, hour=7, minute=30),
    },
    # New module-evaluation answers rewritten with the others in a random order, so that
    # nothing in the database pairs them with who answered (studies/services/evaluations.py).
    "evaluation-answers-mix": {
        "task": "studies.tasks.mix_evaluation_responses",
        "schedule": crontab(minute=17),
    },
    # Large statements whose recording was queued but never ran (broker or worker lost).
    "statements-requeue": {
        "task": "finance.tasks.requeue_statements",
        "schedule": crontab(minute="*"),
    },
    "offers-expire": {
        "task": "enrollment.tasks.expire_offers",
        "schedule": crontab(minute="*/15"),
    },
    # Work queued while the broker was down, or held by a worker that died, goes out
    # within a minute.
    "emails-requeue": {
        "task": "accounts.tasks.requeue_pending_emails",
        "schedule": 60.0,
    },
    "certificates-requeue": {
        "task": "certificates.tasks.requeue_stuck_certificates",
        "schedule": 30.0,
    },
    "finance-documents-requeue": {
        "task": "finance.tasks.requeue_finance_documents",
        "schedule": 60.0,
    },
    "files-sweep": {
        "task": "core.tasks.sweep_files",
        "schedule": crontab(minute=17),
    },
    "documents-purge": {
        "task": "enrollment.tasks.purge_documents",
        "schedule": crontab(hour=3, minute=30),
    },
    # Application receipts whose rendering was never queued or never ran.
    "receipts-requeue": {
        "task": "enrollment.tasks.requeue_receipts",
        "schedule": 300.0,
    },
    # Offers to answer and documents to replace within 48 h, drafts missing documents a
    # week before the call closes: each reminder once (enrollment/services/reminders.py).
    "admissions-reminders": {
        "task": "enrollment.tasks.send_reminders",
        "schedule": crontab(minute=5),
    },
    # Payment reminders before and after due dates, each once (finance/services/reminders.py).
    "finance-reminders": {
        "task": "finance.tasks.send_payment_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Deposits unpaid past their due date release their seat to the waiting list.
    "finance-deposits-release": {
        "task": "finance.tasks.release_unpaid_deposits",
        "schedule": crontab(minute=25),
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Every asset is served by the site itself: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # allauth draws the TOTP set-up QR code as an inline data: image.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "pikepdf": {"level": "WARNING"},
    },
}

# --- Error reporting (optional) ---------------------------------------------------------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        # Applicants' identities and marks stay here: no request bodies, no user e-mails.
        send_default_pii=False,
        max_request_body_size="never",
    )

# --- Electronic signature of the documents (PAdES) ----------------------------------------------
# Every issued PDF is signed with the institute's certificate (core/signing.py): a PKCS#12
# file (.p12 / .pfx) holding the key and the certificate (with its chain), its password from
# the environment only. `make run` creates a self-signed development one under var/signing/ and
# says so; production installs the certificate of an accredited provider (README, "Signing
# certificate"). Unset, every document fails with the reason said on it. With SIGNING_TSA_URL
# (an RFC 3161 time-stamping service), each signature carries its time-stamp (PAdES B-T).
SIGNING_P12 = env.str("SIGNING_P12", default="")
SIGNING_P12_PASSWORD = env.str("SIGNING_P12_PASSWORD", default="")
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# A visitor's altered upload is an expected outcome of the check, not a warning with its trace.
LOGGING["loggers"].update(  # type: ignore[attr-defined]
    {"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}}
)
