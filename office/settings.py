"""Zhengban settings: the one settings module.

Every value comes from the environment (django-environ), read once with an explicit type and a
safe default. `.env.example` lists every variable. A bad value stops start-up with one sentence
(see `_fail`), never a traceback pages long.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    env.read_env(str(_env_file), overwrite=False)


def _fail(sentence: str) -> None:
    """Stop start-up with one clear sentence (ImproperlyConfigured is what Django prints)."""
    raise ImproperlyConfigured(sentence)


DEBUG = env.bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env.bool("TESTING", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-not-for-production-" + "x" * 20
    else:
        _fail(
            "SECRET_KEY is not set: production needs a long random SECRET_KEY in the "
            "environment (see .env.example)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "office",
    "documents",
    "petitions",
    "meetings",
    "supervision",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "office.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "office.accountaudit.CurrentRequestMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "office.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "office.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "office.urls"
WSGI_APPLICATION = "office.wsgi.application"

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
                "django.template.context_processors.csp",
                "office.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite in the project folder is the embedded default; production and CI use PostgreSQL.
try:
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    }
except (ImproperlyConfigured, ValueError, KeyError) as exc:
    _fail(f"DATABASE_URL cannot be read ({exc}); use e.g. postgres://user@host:5432/name.")
_SUPPORTED_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")
if DATABASES["default"].get("ENGINE") not in _SUPPORTED_ENGINES:
    _fail("DATABASE_URL must name PostgreSQL (postgres://…) or SQLite (sqlite:///…).")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Re-check a pooled connection before use, so a PostgreSQL restart costs one retry,
    # not a traceback (SECURITY.md S-35).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Pages run short queries; PostgreSQL's JIT compiles for a second before a query that
    # then takes milliseconds (measured on the approval queue at 1,000,000 documents).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # SQLite: wait for the write lock instead of failing at once when the worker writes too.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (等保 8.1.4.1; SECURITY.md S-01…S-06) ----------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the person (staff row, permissions, groups) in one query.
    "office.auth.OfficeBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "office.passwords.CharacterClassValidator"},
    {"NAME": "office.passwords.NoUserNameValidator"},
    {"NAME": "office.passwords.CommonVariantValidator"},
    {"NAME": "office.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "office:home"
LOGOUT_REDIRECT_URL = "login"
# A second factor (TOTP, RFC 6238) for the city leaders and the three admins (S-04): on by
# default in production, off for the demo (DEBUG) and the tests, which turn it on where they
# test it. TOTP_REQUIRED=0 switches it off for a deployment that authenticates otherwise.
TOTP_REQUIRED = env.bool("TOTP_REQUIRED", default=not DEBUG and not TESTING)
# What the authenticator app shows beside the code.
TOTP_ISSUER = env.str("TOTP_ISSUER", default="政办")
# 全宗号 of this office in the archive's 档号 (DA/T 22-2015 6.1), given by the archives authority.
ARCHIVE_FONDS = env.str("ARCHIVE_FONDS", default="J001")
# Minutes between the password and the code before the sign-in starts again.
TOTP_PENDING_MINUTES = 5

# The lock-out (S-01; office.lockout): 5 failures from one address lock that user name from that
# address for 15 minutes; LOGIN_ACCOUNT_FAILURE_LIMIT failures from anywhere, or 5 wrong one-time
# codes, lock the user name everywhere. django-axes only records the attempts (the audit admin
# reads them); it no longer locks, because it counts neither per threshold nor under a row lock.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCK_OUT_AT_FAILURE = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
LOGIN_FAILURE_LIMIT = AXES_FAILURE_LIMIT
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT = AXES_COOLOFF_TIME
# Reverse proxies in front of the web containers; every client address goes through
# office.client.client_address, which trusts exactly this many X-Forwarded-For entries.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Sessions live in the database (a Redis outage logs no one out). Idle and absolute limits are
# enforced by office.middleware.SessionTimeoutMiddleware.
# The cache holds the public forms' rate-limit counters (S-18, S-19). It must be shared by
# every gunicorn worker and web container, and a Redis outage must not break a request, so
# by default it is a table in the database (created by migration office 0006).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://zhengban_cache")}
# Sessions: `cached_db` reads a session from the cache and writes it to both. On the default
# database cache a cache hit is itself one query (on the cache table instead of the session
# table), a miss costs two and every write three more, so there it is `db`; with a memory cache
# (CACHE_URL=redis://…, shared by every worker) `cached_db` makes the session free on a hit and
# the signed-in floor two queries instead of three (issue 21). office.sessions survives a cache
# outage by reading and writing the database alone.
_CACHE_IN_DATABASE = CACHES["default"]["BACKEND"].endswith("DatabaseCache")
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.db" if _CACHE_IN_DATABASE else "office.sessions",
)
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=8))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security headers (S-07) and HTTPS in production ---------------------------------------
# Django's own CSP middleware, with a per-request nonce; no inline script without it.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
# The probes answer on plain HTTP inside the host/cluster (office.health).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
if not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way decision for the whole domain; an intranet host has no use for it.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# --- Language and time -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"  # never served directly: downloads go through permission-checked views
# Attachments (S-21…S-25): the largest file accepted, in MB.
UPLOAD_MAX_MB = env.int("UPLOAD_MAX_MB", default=20)
# The prefix of incoming registration numbers: 收文〔2026〕123号.
INCOMING_NUMBER_PREFIX = env.str("INCOMING_NUMBER_PREFIX", default="收文")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Celery ----------------------------------------------------------------------------
# Without a broker URL the embedded default uses kombu's filesystem transport: a real worker and
# beat, no server. Production points CELERY_BROKER_URL at Redis.
_broker_dir = BASE_DIR / "var" / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default="")) or (
    "filesystem://"
)
CELERY_TASK_TIME_LIMIT = 300  # the longest task may run 5 minutes (hard limit)
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Redis re-queues a message taken but not acknowledged after `visibility_timeout`: a worker
# killed outright gives its task back after this, not after kombu's default hour. It must
# exceed the longest a message can legitimately stay unacknowledged — waiting behind one running
# task, then running itself — or a slow task would be run twice: 2 × 300 s + a minute.
BROKER_VISIBILITY_TIMEOUT = 2 * CELERY_TASK_TIME_LIMIT + 60
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL == "filesystem://"
    else {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,  # a publish from a web request gives up at once (the relay re-sends)
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
        "health_check_interval": 10,  # find a dead connection in seconds, not at the next read
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Workers ride out a broker restart of any length (issue 16): retry at start-up and forever
# after a loss (Celery gives up after 100 tries by default and the worker exits for good).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker drops is let finish: every task is idempotent and its effect
# is in PostgreSQL, not in the broker (an outbox row marked sent, a rung's marker). Cancelling
# would kill a delivery between the relay's answer and "mark sent" — the one window where a
# message goes out twice. Its late ack is lost with the connection; Redis gives the message
# back after the visibility timeout, and the re-run finds nothing left to do.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Late acknowledgement and re-queue on a lost worker: safe because every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Each worker also listens on its own queue, so its health check can test that very worker.
CELERY_WORKER_DIRECT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# How many delivery tasks the relay starts side by side for a backlog (office.tasks).
OUTBOX_PARALLEL = env.int("OUTBOX_PARALLEL", default=4)
# The worker health check fails after this many minutes without a consumed heartbeat.
WORKER_HEARTBEAT_MINUTES = env.float("WORKER_HEARTBEAT_MINUTES", default=5)
WORKER_HEARTBEAT_DIR = env.path("WORKER_HEARTBEAT_DIR", default=BASE_DIR / "var" / "heartbeat")
# Every job expires just before its next run, so a backlog never piles up duplicates.
DEADLINE_SWEEP_MINUTES = env.int("DEADLINE_SWEEP_MINUTES", default=5)
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {
        "task": "office.tasks.deadline_sweep",
        "schedule": 60.0 * DEADLINE_SWEEP_MINUTES,
        "options": {"expires": 60.0 * DEADLINE_SWEEP_MINUTES - 10},
    },
    # From 1 November: the system admins are told weekly while next year's notice is missing.
    "calendar-reminder": {
        "task": "office.tasks.calendar_reminder",
        "schedule": 6 * 3600.0,
        "options": {"expires": 6 * 3600.0 - 10},
    },
    # The audit chain's head, written outside the database once a day (office.auditchain).
    "audit-anchor": {
        "task": "office.tasks.audit_anchor",
        "schedule": 86400.0,
        "options": {"expires": 86000.0},
    },
    "relay-outbox": {
        "task": "office.tasks.relay_outbox",
        "schedule": 60.0,
        "options": {"expires": 50.0},
    },
    # 三色督查单 (supervision): once an hour is enough for slips that go out by the day.
    "supervision-chase": {
        "task": "supervision.tasks.chase_sweep",
        "schedule": 3600.0,
        "options": {"expires": 3590.0},
    },
    # 督查通报: the previous month's draft, made once (a no-op once it exists).
    "supervision-bulletin": {
        "task": "supervision.tasks.draft_monthly_bulletin",
        "schedule": 6 * 3600.0,
        "options": {"expires": 6 * 3600.0 - 10},
    },
    # Meeting notices (meetings): the day they are due, within the hour.
    "meeting-notices": {
        "task": "meetings.tasks.send_due_notices",
        "schedule": 3600.0,
        "options": {"expires": 3590.0},
    },
}

# --- E-mail and logs -------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND",
            default=(
                "django.core.mail.backends.locmem.EmailBackend"
                if TESTING
                else "django.core.mail.backends.console.EmailBackend"
                if DEBUG
                else "django.core.mail.backends.smtp.EmailBackend"
            ),
        ),
        "OPTIONS": {
            k: v
            for k, v in {
                "host": env.str("EMAIL_HOST", default=""),
                "port": env.int("EMAIL_PORT", default=0),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": env.str("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
                # Only for django.core.mail.backends.filebased.EmailBackend: the folder it
                # writes each message to (tests run a real worker with it).
                "file_path": env.str("EMAIL_FILE_PATH", default=""),
            }.items()
            if v
        },
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zhengban@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs seven INFO "Step n" lines per PDF; its refusals are WARNING/ERROR.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# --- Project knobs ---------------------------------------------------------------------
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SMS_BACKEND = env.str("SMS_BACKEND", default="office.sms.ConsoleSMSBackend")
# Which notification levels also go out by SMS (to staff with a mobile number).
SMS_FOR_LEVELS = env.list("SMS_FOR_LEVELS", default=["overdue", "escalation", "urge"])
OFFICE_NAME = env.str("OFFICE_NAME", default="乌兰浩特市人民政府办公室")
# More spellings of the office's name that a password must not be built on (office.passwords).
OFFICE_NAME_WORDS = env.list("OFFICE_NAME_WORDS", default=["wulanhaote", "zhengfuban"])
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Zhengban-Demo-2026")

# --- Petitions (信访) -------------------------------------------------------------------------
# Petitioners' ID number, phone and address are encrypted with SM4-GCM and searched through
# HMAC-SM3 (S-17, GB/T 39786-2021); both keys are derived from this one secret. Production must
# set it: without it the first use of personal data stops with a clear error (petitions.crypto);
# the development default exists only under DEBUG or TESTING.
PETITION_DATA_KEY = env.str("PETITION_DATA_KEY", default="")
if not PETITION_DATA_KEY and (DEBUG or TESTING):
    PETITION_DATA_KEY = "insecure-development-petition-key-not-for-production"
# --- The audit chain (issue 15) ----------------------------------------------------------------
# Each audit entry's link is HMAC-SM3 under this key, which must not live in the database (the
# database's owner could otherwise recompute an edited chain): from the environment, or a file
# (AUDIT_CHAIN_KEY_FILE, e.g. a mounted secret). The development default exists only under
# DEBUG or TESTING; production without it stops at the first audited action with a clear error.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
AUDIT_CHAIN_KEY_FILE = env.str("AUDIT_CHAIN_KEY_FILE", default="")
if not AUDIT_CHAIN_KEY and AUDIT_CHAIN_KEY_FILE:
    try:
        AUDIT_CHAIN_KEY = Path(AUDIT_CHAIN_KEY_FILE).read_text(encoding="utf-8").strip()
    except OSError as error:
        _fail(f"AUDIT_CHAIN_KEY_FILE cannot be read ({error.strerror}): {AUDIT_CHAIN_KEY_FILE}")
if not AUDIT_CHAIN_KEY and (DEBUG or TESTING):
    AUDIT_CHAIN_KEY = "insecure-development-audit-chain-key-not-for-production"
# The daily anchors (chain head and count), appended outside the database; ship this file to
# write-once storage or a log host. The audit admins also receive each anchor as a message.
AUDIT_ANCHOR_PATH = env.str(
    "AUDIT_ANCHOR_PATH", default=str(BASE_DIR / "var" / "audit-anchors.log")
)
# The satisfaction scale offered to petitioners, best first; the first
# PETITION_SATISFIED_COUNT of them count as satisfied in 满意率.
PETITION_RATINGS = env.list("PETITION_RATINGS", default=["满意", "基本满意", "不满意"])
PETITION_SATISFIED_COUNT = env.int("PETITION_SATISFIED_COUNT", default=2)
# The section that runs the petition desk (its code), and the online form's size limit per file.
PETITION_SECTION_CODE = env.str("PETITION_SECTION_CODE", default="general")
PETITION_PUBLIC_UPLOAD_MAX_MB = env.int("PETITION_PUBLIC_UPLOAD_MAX_MB", default=10)

# --- Supervision (督查) ----------------------------------------------------------------------
# The yellow-light window, the working days between the chase slips, and how long a unit has to
# send back a task given to it in error.
SUPERVISION_WARNING_DAYS = env.int("SUPERVISION_WARNING_DAYS", default=3)
SUPERVISION_ORANGE_WORKDAYS = env.int("SUPERVISION_ORANGE_WORKDAYS", default=3)
SUPERVISION_RED_WORKDAYS = env.int("SUPERVISION_RED_WORKDAYS", default=2)
SUPERVISION_WRONG_RETURN_DAYS = env.int("SUPERVISION_WRONG_RETURN_DAYS", default=10)

# --- Public portal --------------------------------------------------------------------------
PORTAL_DISCLOSURE_SECTION = env.str("PORTAL_DISCLOSURE_SECTION", default="general")
PORTAL_EVALUATIONS_PER_HOUR = env.int("PORTAL_EVALUATIONS_PER_HOUR", default=5)
PORTAL_DISCLOSURES_PER_DAY = env.int("PORTAL_DISCLOSURES_PER_DAY", default=3)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
