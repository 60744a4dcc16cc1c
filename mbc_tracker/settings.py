"""MBC Tracker settings: one module, driven by the environment.

Development (``DJANGO_DEBUG=1``, as ``make run`` sets) needs nothing else: a SQLite file under
``var/``, an embedded file-system Celery broker and console email. Production (``DJANGO_DEBUG``
off) refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``.
Every variable is described in README.md and ``.env.example``.
"""

import base64
import binascii
import json
import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))


def _required(name: str) -> str:
    """Read a variable that production cannot run without, naming it when it is missing."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_DEBUG is off (production mode). "
            "See README.md, 'Environment variables'."
        )
    return value


_dev_secret_key = "dev-only-not-secret-" + "x" * 40
# Keys that are public, so worthless for signing: development's default, and the stand-ins
# people paste from examples.
_known_secret_keys = frozenset(
    {_dev_secret_key, "changeme", "change-me", "secret", "secret-key", "your-secret-key"}
)
_make_a_key = (
    "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(64))' "
    "and keep it out of version control. See README.md, 'Environment variables'."
)


def _strong_secret_key(value: str) -> str:
    """Production signs sessions, password-reset links and API tokens with SECRET_KEY: a short,
    repetitive or published key lets anyone forge them. The same tests as check --deploy."""
    if value in _known_secret_keys or value.startswith("django-insecure-"):
        problem = "is a published example or development key"
    elif len(value) < 50:
        problem = f"is too short ({len(value)} characters; at least 50 are needed)"
    elif len(set(value)) < 5:
        problem = "repeats too few characters to be random"
    else:
        return value
    raise ImproperlyConfigured(f"SECRET_KEY {problem}. {_make_a_key}")


DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default=_dev_secret_key)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    }
else:
    SECRET_KEY = _strong_secret_key(_required("SECRET_KEY"))
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
    DATABASES = {"default": env.db_url_config(_required("DATABASE_URL"))}

DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # make run's web server, worker and beat share one SQLite file: take the write lock when a
    # transaction starts (a deferred one that later writes fails at once with "database is
    # locked") and wait for it, and let readers go on while one writes (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # An unreachable server fails a request in seconds (a 503), rather than hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # Behind PgBouncer in transaction mode each transaction may get another server connection:
    # nothing may outlive a transaction on the server. So no server-side cursors (``iterator()``
    # would declare one WITH HOLD and fetch from it later). Prepared statements are already off
    # (Django binds on the client). README, "Scaling out", lists the rest.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_TRANSACTION_POOLING", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

INSTALLED_APPS = [
    # Translated catalogue texts (symptoms, resources): before admin, whose forms it extends.
    "modeltranslation",
    "mbc_tracker.admin_site.MbcAdminConfig",  # django.contrib.admin, sections ordered
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_guid",
    "csp",
    "axes",
    "auditlog",
    # Two-step sign-in for staff: authenticator apps (TOTP) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "phonenumber_field",
    "followups",
    "accounts",
    "symptoms",
    "flags",
    "appointments",
    "notifications",
    "care",
    "exports",
    "demo",
]

MIDDLEWARE = [
    # A request id for every request (taken from a valid X-Request-ID, else made up), in logs
    # and in the record access log.
    "django_guid.middleware.guid_middleware",
    # A database outage anywhere below (views, templates, sessions, authentication) becomes a
    # calm 503 with Retry-After, never a 500: see mbc_tracker/outage.py.
    "mbc_tracker.outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compress pages and API answers (static files never get here: WhiteNoise above answers
    # them itself, with the files compressed at collectstatic). Above every middleware that reads
    # or changes the body, so it compresses last. Django's GZip pads each answer with random
    # bytes, which blunts BREACH (the CSRF token is masked per request as well).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language) until a signed-in person's own choice applies.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's chosen language wins over the browser's (User.language).
    "accounts.middleware.UserLanguageMiddleware",
    # Which second step (if any) this session has passed: request.user.is_verified().
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions end after STAFF_IDLE_MINUTES without a request.
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Audited changes (django-auditlog) record who made them and from where.
    "accounts.middleware.AuditlogActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Staff (coordinators and admins) reach nothing but the two-step pages until their session
    # has passed the second step: pages, the API through the session and admin alike. Below the
    # header middleware so that its answers get the same headers as any page.
    "accounts.middleware.StaffTwoStepMiddleware",
    # Axes last: it turns a lockout raised anywhere above into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mbc_tracker.urls"
WSGI_APPLICATION = "mbc_tracker.wsgi.application"

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
                "accounts.context_processors.care_contacts",
                "flags.context_processors.attention",
            ],
        },
    },
]

# --- Users and authentication -------------------------------------------------------------------
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Invitation and password-reset links stay valid for three days.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Lockout after repeated failed logins (web, admin and API alike).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Django passes the login as "username" to authenticate(), whatever USERNAME_FIELD is.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

# Two-step sign-in (django-otp): the name authenticator apps show beside the code; secrets stay
# hidden in admin. A wrong code makes the next try wait 1 s, then 2, 4, 8… (per device, kept in
# the database), and counts as a failed sign-in for the lockout above.
OTP_TOTP_ISSUER = "MBC Tracker"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# A web session without "Keep me signed in" ends when the browser closes, and at the latest this
# long after it was last saved (12 hours).
SESSION_COOKIE_AGE = 60 * 60 * 12
# A patient who ticks "Keep me signed in on this phone" stays signed in this many days from
# sign-in (accounts.sessions); staff never do.
PATIENT_REMEMBER_DAYS = env.int("PATIENT_REMEMBER_DAYS", default=30)
# Coordinators' and administrators' sessions end after this many minutes without a request
# (accounts.middleware.StaffIdleTimeoutMiddleware); patients keep SESSION_COOKIE_AGE.
STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=30)
# An API token (one per device) works for this many days after sign-in; so does a token issued
# before tokens expired, counted from when it was made.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# --- REST API ---------------------------------------------------------------------------------
# The largest body a request may send, web forms and API alike (Django refuses a larger form with
# a 400, the API a larger JSON body with a 413). A day's log, the largest, is a few kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, bounded in size and depth before it is parsed (mbc_tracker/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["mbc_tracker.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "lib.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "lib.api.schema.ErrorAutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE_RATE", default="10/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "mbc_tracker.outage.api_exception_handler",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "MBC Tracker API",
    "DESCRIPTION": "Symptom logs, flags and appointments for people living with metastatic "
    "breast cancer and their care teams. See README.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MetastasisSiteEnum": "accounts.models.MetastasisSite.choices",
        "RoleEnum": "accounts.models.Role.choices",
        "NotificationKindEnum": "notifications.models.Kind.choices",
        "NotificationChannelEnum": "notifications.models.Channel.choices",
        "AppointmentKindEnum": "appointments.models.AppointmentKind.choices",
        "AppointmentStatusEnum": "appointments.models.AppointmentStatus.choices",
        "SymptomKindEnum": "symptoms.models.SymptomKind.choices",
        "RedFlagLevelEnum": "symptoms.models.RedFlag.choices",
        "ProCtcaeAttributeEnum": "symptoms.models.ProCtcaeAttribute.choices",
        "PatientResponseEnum": "flags.models.PatientResponse.choices",
        "TimezoneEnum": "accounts.api.serializers.TIMEZONE_CHOICES",
    },
}

# --- Caches, Celery ----------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mbc"),
            # A dead Redis fails fast, so callers fall back (sign-in) or report it (/healthz).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Tasks are acknowledged late only where they are idempotent; a task not acknowledged within
    # the visibility timeout is redelivered, so every time limit stays well below it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The embedded broker: plain files under var/, shared by the web server, worker and beat.
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A static schedule (no database scheduler); exactly one beat runs. Features add their entries.
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox: send what is due, every minute (rows are claimed, so overlap is harmless).
    "dispatch-due-notifications": {
        "task": "notifications.tasks.dispatch_due_notifications",
        "schedule": 60.0,
    },
    # Follow-ups (flag evaluation, reminder re-planning): send every one whose ring was lost or
    # whose worker died (followups/services.py). This, not the nightly sweep, bounds how late an
    # urgent alert can be after the broker or a worker comes back. It also sends again the lost
    # chunks of the nightly passes.
    "drain-follow-ups": {
        "task": "followups.tasks.drain_follow_ups",
        "schedule": 60.0,
    },
    # Re-plan reminders (appointments, restaging, daily log nudges) once a night; idempotent. It
    # starts a pass whose chunks every worker shares (followups/passes.py).
    "plan-reminders-nightly": {
        "task": "symptoms.tasks.plan_reminders_nightly",
        "schedule": crontab(hour=2, minute=15),
    },
    # Patients' record downloads: remove the files of those past their date (rows stay).
    "expire-record-exports-nightly": {
        "task": "exports.tasks.expire_record_exports",
        "schedule": crontab(hour=3, minute=30),
    },
    # Flags: evaluate every patient (a safety net behind the follow-ups' drain; self-resolves
    # and ages flags), then plan the coordinators' 08:00 digests. Idempotent. It starts a pass
    # whose chunks every worker shares; the last chunk done plans the digests, once.
    "sweep-flags-nightly": {
        "task": "flags.tasks.sweep_flags",
        "schedule": crontab(hour=3, minute=0),
    },
    # The record access log: create the coming months' partitions (always some ahead) and drop
    # whole months past RECORD_ACCESS_RETENTION_MONTHS. Idempotent.
    "record-access-partitions-nightly": {
        "task": "accounts.tasks.maintain_record_access_partitions",
        "schedule": crontab(hour=1, minute=40),
    },
}

# A started follow-up is sent again if not finished within this (longer than its tasks' time
# limits); an unclaimed one waits this long for its own ring before the drain sends it.
FOLLOW_UP_CLAIM_SECONDS = 120
FOLLOW_UP_RING_GRACE_SECONDS = 30

# The nightly passes' chunks (followups/passes.py): a started chunk (or final step) not done
# within the claim is sent again (longer than a chunk task's time limit); a chunk still unstarted
# this long after a later one of its pass started counts as lost and is sent again.
NIGHTLY_PASS_CLAIM_SECONDS = 600
NIGHTLY_PASS_GRACE_SECONDS = 60

# The record access log (PostgreSQL: one partition a month). Whole months older than this are
# dropped by the nightly task; that is the only way rows leave the log. Six years by default:
# health-record audit trails are commonly kept six years or more (HIPAA documentation, many
# national record-keeping codes); raise it where local rules ask for longer.
RECORD_ACCESS_RETENTION_MONTHS = env.int("RECORD_ACCESS_RETENTION_MONTHS", default=72)
if RECORD_ACCESS_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("RECORD_ACCESS_RETENTION_MONTHS must be 1 or more (months).")
# Months of partitions kept ready beyond the current one, so a missed night never matters.
RECORD_ACCESS_PARTITIONS_AHEAD = 3

# How long a patient's record download stays ready after it is built.
RECORD_EXPORT_KEEP_DAYS = env.int("RECORD_EXPORT_KEEP_DAYS", default=7)
if RECORD_EXPORT_KEEP_DAYS < 1:
    raise ImproperlyConfigured("RECORD_EXPORT_KEEP_DAYS must be 1 or more (days).")

# The outbox's lease: a dispatcher that dies mid-batch leaves its claimed rows this long.
NOTIFICATIONS_LEASE_SECONDS = 300

# --- Web Push ----------------------------------------------------------------------------------
# The third outbox channel. Off (push is never planned, the settings page offers no phone
# sign-up) unless all three are set. The keys are a VAPID pair: the private key as base64url of
# its 32 raw bytes, the public one (the browser's applicationServerKey) as base64url of its 65
# uncompressed bytes. Development reads a pair from VAR_DIR/webpush_vapid.json when none is set
# (``manage.py webpush_dev_keys``, run by ``make run``, writes it).
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="").strip()
WEBPUSH_VAPID_PUBLIC_KEY = env.str("WEBPUSH_VAPID_PUBLIC_KEY", default="").strip()
WEBPUSH_CONTACT = env.str("WEBPUSH_CONTACT", default="").strip()
_webpush = (WEBPUSH_VAPID_PRIVATE_KEY, WEBPUSH_VAPID_PUBLIC_KEY, WEBPUSH_CONTACT)
_webpush_dev_file = VAR_DIR / "webpush_vapid.json"
if DEBUG and not any(_webpush) and _webpush_dev_file.exists():
    _dev_pair = json.loads(_webpush_dev_file.read_text())
    WEBPUSH_VAPID_PRIVATE_KEY = _dev_pair["private_key"]
    WEBPUSH_VAPID_PUBLIC_KEY = _dev_pair["public_key"]
    WEBPUSH_CONTACT = _dev_pair["contact"]
    _webpush = (WEBPUSH_VAPID_PRIVATE_KEY, WEBPUSH_VAPID_PUBLIC_KEY, WEBPUSH_CONTACT)


def _b64url_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        return -1


if any(_webpush):
    # Half a configuration is a mistake, not a choice: say so at start-up, not at the first send.
    _webpush_problems = [
        name
        for name, value in zip(
            ("WEBPUSH_VAPID_PRIVATE_KEY", "WEBPUSH_VAPID_PUBLIC_KEY", "WEBPUSH_CONTACT"),
            _webpush,
            strict=True,
        )
        if not value
    ]
    if WEBPUSH_VAPID_PRIVATE_KEY and _b64url_length(WEBPUSH_VAPID_PRIVATE_KEY) != 32:
        _webpush_problems.append("WEBPUSH_VAPID_PRIVATE_KEY (base64url of 32 bytes)")
    if WEBPUSH_VAPID_PUBLIC_KEY and _b64url_length(WEBPUSH_VAPID_PUBLIC_KEY) != 65:
        _webpush_problems.append("WEBPUSH_VAPID_PUBLIC_KEY (base64url of 65 bytes)")
    if WEBPUSH_CONTACT and not WEBPUSH_CONTACT.startswith(("mailto:", "https://")):
        _webpush_problems.append("WEBPUSH_CONTACT (a mailto: or https: address)")
    if _webpush_problems:
        raise ImproperlyConfigured(
            "Web Push needs all three of WEBPUSH_VAPID_PRIVATE_KEY, WEBPUSH_VAPID_PUBLIC_KEY and "
            "WEBPUSH_CONTACT, or none of them (push off). Missing or malformed: "
            + ", ".join(_webpush_problems)
            + ". Make a pair with: python manage.py webpush_dev_keys --print. "
            "See README.md, 'Environment variables'."
        )
WEBPUSH_ENABLED = all(_webpush)
# Seconds a push service keeps a message for a phone that is off, and waits for our request.
WEBPUSH_TTL_SECONDS = env.int("WEBPUSH_TTL_SECONDS", default=12 * 60 * 60)
WEBPUSH_TIMEOUT_SECONDS = 10

# --- Email -----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MBC Tracker <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in emails (invitations, reminders) start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- FHIR export ------------------------------------------------------------------------------
# Where our own FHIR code systems, identifiers and extensions live (FHIR_BASE_URL/CodeSystem/
# symptom, ...) and the base of every resource address in an exported Bundle. Keep it stable: a
# hospital that stored our codes matches later exports by it.
FHIR_BASE_URL = env.str("FHIR_BASE_URL", default=f"{SITE_URL}/fhir").rstrip("/")
if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", FHIR_BASE_URL):
    raise ImproperlyConfigured(
        f"FHIR_BASE_URL must be an absolute http(s) address without spaces, a query or a "
        f"fragment, e.g. https://mbc.example.org/fhir (not {FHIR_BASE_URL!r})."
    )

# --- Clinical settings shown to patients ----------------------------------------------------
EMERGENCY_NUMBER = env.str("EMERGENCY_NUMBER", default="999")
CARE_TEAM_24H_LINE = env.str("CARE_TEAM_24H_LINE", default="0800 000 0000")
DEFAULT_PATIENT_TIMEZONE = env.str("DEFAULT_PATIENT_TIMEZONE", default="Europe/London")
# Phone numbers written without a country code ("07911 123456") are read as this country's;
# every number is stored and shown in E.164 ("+447911123456").
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="GB")
PHONENUMBER_DEFAULT_FORMAT = "E164"
# How often the coordinator's triage panel refreshes itself in the browser (htmx polling).
CARE_PANEL_REFRESH_SECONDS = env.int("CARE_PANEL_REFRESH_SECONDS", default=60)

# --- Internationalisation, time -------------------------------------------------------------
# The languages the site offers. A signed-in person's own choice wins; otherwise the browser's
# (Accept-Language), otherwise English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Catalogues: each app has its own locale/ folder; the project's pages and code use this one.
LOCALE_PATHS = [BASE_DIR / "locale"]
# English is written the British way (1 March 2026, 24-hour times): mbc_tracker/formats/en.
FORMAT_MODULE_PATH = ["mbc_tracker.formats"]
# Texts stored in the database that patients read (the symptom catalogue, resources) have a
# column per language (django-modeltranslation: symptoms/translation.py,
# appointments/translation.py); an empty one falls back to English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security ---------------------------------------------------------------------------------
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        # The installable app: its service worker (/sw.js) and manifest are our own files.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    }
}

# Request ids (django-guid): a proxy's valid X-Request-ID is kept, otherwise one is made; it is
# sent back in the response, printed in every log line and stored in the record access log.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        # A database outage is logged in one line by mbc_tracker.outage, not as a traceback.
        "quiet_outage": {"()": "mbc_tracker.outage.QuietOutageTracebacks"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "quiet_outage"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own "django" handlers so that each record is printed once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every step of a PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        # django-guid says at INFO whether each request brought its own id.
        "django_guid": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
