"""Settings for Sanqi, read from the environment (twelve-factor).

Everything a deployment changes comes from an environment variable; the defaults give a
working first run on one machine (SQLite, tasks inline) and nothing else.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "django-insecure-sanqi-development-only-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise RuntimeError("SECRET_KEY must be set when DEBUG=0")
# The key of the hashes that find a cadre by a full ID number or phone (core.masking.lookup_hash).
# Changing it needs `manage.py refresh_lookup_hashes`; by default the secret key.
SANQI_LOOKUP_KEY = os.environ.get("SANQI_LOOKUP_KEY") or SECRET_KEY
# Where year selectors start when no record bears a year yet (core.panels.data_first_year).
SANQI_FIRST_YEAR = int(os.environ.get("SANQI_FIRST_YEAR", "2010"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "communities",
    "staffing",
    "funding",
    "venues",
    "regional_building",
    "assessments",
    "figures",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.PasswordPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Duplicates and lock contention escaping a view: 400 / 503 in Chinese, never a 500.
    "core.contention.ContentionMiddleware",
]

ROOT_URLCONF = "sanqi.urls"
WSGI_APPLICATION = "sanqi.wsgi.application"
ASGI_APPLICATION = "sanqi.asgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

# Database: PostgreSQL when DATABASE_URL is set, an embedded SQLite file otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'sanqi.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        # Django's Redis cache that answers as an empty cache while Redis is unreachable (core.cache)
        {"BACKEND": "core.cache.FailSafeRedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Year-end summaries of nodes with more communities than this are drafted by the Celery job.
REPORTS_INLINE_COMMUNITIES = int(os.environ.get("REPORTS_INLINE_COMMUNITIES", "300"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The last SANQI_PASSWORD_HISTORY passwords cannot be used again; also restarts the expiry.
    {"NAME": "accounts.policy.PasswordHistoryValidator"},
]
# Password policy (等保 8.1.4.1): expiry (0 = never), warning before it, passwords remembered.
SANQI_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("SANQI_PASSWORD_MAX_AGE_DAYS", "90"))
SANQI_PASSWORD_WARN_DAYS = int(os.environ.get("SANQI_PASSWORD_WARN_DAYS", "14"))
SANQI_PASSWORD_HISTORY = int(os.environ.get("SANQI_PASSWORD_HISTORY", "5"))
# 三员分立: one account holds at most one of 管理员 / 安全管理员 / 审计员 unless this is set
# (a small office where one person must do two of them; the 等保 assessor will ask why).
SANQI_ALLOW_COMBINED_DUTIES = env_bool("SANQI_ALLOW_COMBINED_DUTIES", False)
# Second factor (TOTP, django-otp): anyone may enrol; when set, the superuser, 管理员,
# 安全管理员, 审计员 and 审核员 must. OTP_TOTP_ISSUER names the site in the authenticator app.
SANQI_OTP_REQUIRED = env_bool("SANQI_OTP_REQUIRED", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Sanqi")
# Audit records (login records, account administration, personal-data access) are kept live
# at least this many days (never fewer than 180), then written to SANQI_AUDIT_ARCHIVE_DIR by
# the daily beat task and only then removed from the live tables.
SANQI_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("SANQI_AUDIT_RETENTION_DAYS", "180")))
SANQI_AUDIT_ARCHIVE_DIR = Path(os.environ.get("SANQI_AUDIT_ARCHIVE_DIR", BASE_DIR / "var" / "audit-archive"))
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes): by user name and address together, so one
# clerk mistyping does not lock out a whole office behind one NAT address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind the nginx of docker-compose every request comes from the proxy's address; the proxy
# overwrites X-Real-IP with the client's, so that header is the address to lock out.
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
# Every failure and lockout is kept (login records, 等保 8.1.4.3); axes' own per-user cap
# would delete old failures silently, so it is set beyond reach: the archive task removes
# them after SANQI_AUDIT_RETENTION_DAYS, once written to the archive.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 10**9

# Idle timeout: the session expires after this much inactivity.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Production hardening; each can be turned off by its variable (e.g. an intranet without TLS).
SECURE = not DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), enforced in development too (django-csp leaves
# Django's debug pages alone): scripts and styles only from this site's files, no inline
# script, event handler or style attribute anywhere (tests/security/test_headers.py checks
# the templates), data: images for Bootstrap's and Swagger UI's SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page uses are switched off (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
        "screen-wake-lock", "usb", "xr-spatial-tracking",
    )
}
# /api/schema/ and /api/docs/ for anonymous visitors: open while developing, closed in
# production unless this says otherwise (signed-in users and tokens always have them).
SANQI_API_DOCS_ANONYMOUS = env_bool("SANQI_API_DOCS_ANONYMOUS", DEBUG)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Language and time: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
try:  # whitenoise warns on every request while the directory is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"

# Uploads: Excel sheets are read in memory up to this size, and refused above it.
SANQI_UPLOAD_MAX_BYTES = int(os.environ.get("SANQI_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
SANQI_UPLOAD_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("SANQI_UPLOAD_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024))
)
SANQI_UPLOAD_MAX_ROWS = int(os.environ.get("SANQI_UPLOAD_MAX_ROWS", "20000"))
# Days a deleted record stays in the recycle bin (回收站) before core.purge_recycle_bin removes it.
SANQI_RECYCLE_BIN_DAYS = int(os.environ.get("SANQI_RECYCLE_BIN_DAYS", "30"))
# Rows and columns a sheet may span, blank ones included (openpyxl makes every one of them).
SANQI_UPLOAD_MAX_SHEET_ROWS = int(os.environ.get("SANQI_UPLOAD_MAX_SHEET_ROWS", str(2 * SANQI_UPLOAD_MAX_ROWS + 1)))
SANQI_UPLOAD_MAX_COLUMNS = int(os.environ.get("SANQI_UPLOAD_MAX_COLUMNS", "100"))
# Everything but the sheets and their shared strings: styles, theme, pictures, macros…
SANQI_UPLOAD_MAX_OTHER_PARTS_BYTES = int(os.environ.get("SANQI_UPLOAD_MAX_OTHER_PARTS_BYTES", str(10 * 1024 * 1024)))
# The parse runs in a child process that is killed after this long, with this much memory.
SANQI_UPLOAD_PARSE_SECONDS = int(os.environ.get("SANQI_UPLOAD_PARSE_SECONDS", "20"))
SANQI_UPLOAD_PARSE_MEMORY_MB = int(os.environ.get("SANQI_UPLOAD_PARSE_MEMORY_MB", "1024"))
DATA_UPLOAD_MAX_MEMORY_SIZE = SANQI_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SANQI_UPLOAD_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api_auth.ScopedPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api_auth.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_auth.exception_handler",
    # The browsable API (HTML forms over the API) is a development aid: JSON only in production.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
# List filters offer "all" rather than Django's "---------" as their empty choice.
FILTERS_EMPTY_CHOICE_LABEL = _("All")
FILTERS_NULL_CHOICE_LABEL = _("None")

SPECTACULAR_SETTINGS = {
    "TITLE": "三有一化党建管理平台 API",
    "DESCRIPTION": "Sanqi REST API. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: a real broker when CELERY_BROKER_URL is set; otherwise tasks run inline.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Jobs never get stuck (core.jobs): beat (docker-compose) runs these checks; a scoring run or a
# draft that made no progress for SANQI_JOB_STALL_SECONDS has its unfinished work queued again.
SANQI_JOB_STALL_SECONDS = int(os.environ.get("SANQI_JOB_STALL_SECONDS", "180"))
SANQI_JOB_CHECK_SECONDS = float(os.environ.get("SANQI_JOB_CHECK_SECONDS", "60"))
# Periodic tasks, sent by the beat service of docker-compose. Closing timed-out sessions on
# the login record; archiving audit records past the retention period (never dropped).
CELERY_BEAT_SCHEDULE = {
    "purge-recycle-bin": {"task": "core.purge_recycle_bin", "schedule": 60 * 60},
    "end-idle-sessions": {"task": "accounts.tasks.end_idle_sessions", "schedule": 300.0},
    "archive-audit-records": {"task": "accounts.tasks.archive_audit_records", "schedule": 24 * 3600.0},
    # the facts table: marks whose queueing failed (broker down) and the current year's rows of
    # yesterday (figures describe today); nothing to do costs two small queries
    "refresh-figures": {"task": "figures.refresh_facts", "schedule": 600.0},
}
CELERY_BEAT_SCHEDULE.update({
    name: {"task": name, "schedule": SANQI_JOB_CHECK_SECONDS, "kwargs": {"stall_seconds": SANQI_JOB_STALL_SECONDS},
           "options": {"expires": SANQI_JOB_CHECK_SECONDS}}
    for name in ("assessments.requeue_stalled_runs", "reports.requeue_stalled_drafts")
})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SANQI_SITE_TITLE = _("Sanqi party-building management platform")
