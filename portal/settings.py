"""Django settings for the mutual-aid portal.

Everything that differs between machines comes from the environment (see
``.env.example`` and the configuration table in README.md). Defaults are the safe
production ones; ``DEBUG=true`` relaxes them for a developer's machine.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
# Old keys still accepted for signatures (sessions, password resets) while rotating.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])

# A demo installation (`make demo` sets it): seed_demo may seed a new, empty database.
DEMO = envbool("DEMO", False)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

_database_url = env("DATABASE_URL")
if not _database_url:
    if not DEBUG:
        raise ImproperlyConfigured("DATABASE_URL is required when DEBUG is off")
    _database_url = "postgres://postgres@127.0.0.1:5432/mutualaid"
if not _database_url.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...)")
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Tenancy in the database (mutualaid/tenancy/context.py, rls.py): every tenant scope runs
# as this role (no superuser, no BYPASSRLS, owns nothing); web, workers and beat should
# connect as it too (docs/operations.md "Database roles"). The guard makes a query on a
# tenant table inside an entry point that set no tenant raise (DEBUG and the tests).
TENANCY_DB_ROLE = env("DATABASE_APP_ROLE", "mutualaid_app")
TENANCY_GUARD = envbool("TENANCY_GUARD", DEBUG)

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")

# The shared cache: DRF's API throttle counts requests here, so its limit holds across every
# gunicorn worker and host (a per-process memory cache would multiply it by the workers).
# Redis (CACHE_URL, else REDIS_URL); short timeouts, and the throttle lets a request through
# when Redis does not answer (mutualaid.api.throttling). A developer with DEBUG on and
# neither variable set gets a per-process memory cache. Nothing calls ``cache.clear()``: on
# Redis it empties the whole database, the task queue with it when they share one.
if DEBUG and env("REDIS_URL") is None and env("CACHE_URL") is None:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "mutualaid",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "axes",
    "csp",
    "django_htmx",
    "mutualaid.tenancy",
    "mutualaid.calendar",
    "mutualaid.audit",
    "mutualaid.jobs",
    "mutualaid.api",
    "mutualaid.outbox",
    "mutualaid.core",
    "mutualaid.accounts",
    "mutualaid.home",
    "members",
    "plans",
    "enrolment",
    "mutualaid.notifications",
    "premiums",
    "claims",
    "individuals",
    "stats",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (its 400 is translated), before the user is looked up.
    "mutualaid.core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mutualaid.tenancy.middleware.ActorMiddleware",
    # Nothing a signed-in user receives is cached (personal data on every page and answer).
    "mutualaid.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns lock-outs into responses.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "tenancy.User"
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
    {"NAME": "mutualaid.tenancy.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures. The
# failures are rows in the database (the handler named here, axes' default, said aloud): every
# worker counts the same ones, and a Redis outage neither resets nor blocks them.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address, for axes' lockouts and every rate limit alike
# (mutualaid.core.limits.client_ip): behind PROXY_COUNT trusted proxies, the address the
# outermost one saw (the PROXY_COUNT-th entry of X-Forwarded-For from the right); with none,
# the connection's. The variable keeps its first name, AXES_PROXY_COUNT.
PROXY_COUNT = envint("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "mutualaid.core.limits.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
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
# Uploaded documents live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
#: Claim documents: never under a served directory; read only through scoped views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
#: Largest claim document accepted (bytes).
CLAIM_DOCUMENT_MAX_BYTES = int(env("CLAIM_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker is redelivered: tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A dead broker must fail a publish in well under a second, not stall a request: the web
# only ever publishes through the outbox (mutualaid/outbox), which keeps what failed and
# drains it later. Connect within 1 s, retry the connection once, retry a publish once (a
# pooled connection that went stale when Redis restarted), then give up.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 1.0,
    # Longer than the worker's 1 s BRPOP, so polling for tasks never trips it.
    "socket_timeout": 5.0,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1.0  # the result store (workers write, tests read)
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING (JSON lines) too

# --- Background jobs (mutualaid.jobs) ------------------------------------------------
# A running job's worker refreshes its heartbeat this often; a job whose heartbeat is older
# than JOB_STALE_SECONDS lost its worker, and the reaper (beat, every JOB_REAP_SECONDS, see
# portal/celery.py) runs it again, up to JOB_MAX_ATTEMPTS attempts in all, or fails it.
JOB_HEARTBEAT_SECONDS = envint("JOB_HEARTBEAT_SECONDS", 15)
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 120)
JOB_MAX_ATTEMPTS = envint("JOB_MAX_ATTEMPTS", 2)
if not 0 < JOB_HEARTBEAT_SECONDS * 2 <= JOB_STALE_SECONDS:
    raise ImproperlyConfigured("JOB_STALE_SECONDS must be at least twice JOB_HEARTBEAT_SECONDS")
if JOB_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("JOB_MAX_ATTEMPTS must be 1 or more")
# Uploaded rosters and produced files (whole ID numbers, bank accounts) are deleted this many
# days after their job finished (beat, daily; docs/operations.md).
JOB_FILE_RETENTION_DAYS = envint("JOB_FILE_RETENTION_DAYS", 7)
if JOB_FILE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("JOB_FILE_RETENTION_DAYS must be 1 or more")

# --- Premiums and renewals (premiums app) ---------------------------------------
# Renewal drafts are prepared this many days before cover ends (SPEC §7).
RENEWAL_NOTICE_DAYS = envint("RENEWAL_NOTICE_DAYS", 30)
# The daily renewal run in this many transactions side by side (one task each): with two
# worker processes, 2 nearly doubles its speed on big tenants (docs/benchmarks.md).
RENEWAL_PARTS = envint("RENEWAL_PARTS", 2)
# The portal's address for links in e-mails (e.g. https://huzhu.example.org); empty: paths only.
PORTAL_URL = env("PORTAL_URL", "")

# --- Roster uploads (enrolment app) ----------------------------------------------
# What an .xlsx roster may inflate to before it is parsed (enrolment/roster/unpack.py): a
# zip bomb or a sheet with a far-away cell is refused unread. A real 100,000-row roster is
# 20–30 MB unpacked (shared strings 5–10 MB), packs 4–7 times and has about seven columns.
ROSTER_MAX_UNPACKED_MB = envint("ROSTER_MAX_UNPACKED_MB", 128)
ROSTER_MAX_SHARED_STRINGS_MB = envint("ROSTER_MAX_SHARED_STRINGS_MB", 48)
ROSTER_MAX_COMPRESSION_RATIO = envint("ROSTER_MAX_COMPRESSION_RATIO", 100)
ROSTER_MAX_CELL_KB = envint("ROSTER_MAX_CELL_KB", 128)
# calamine builds a dense grid of rows × columns: 120,000 × 64 cells at most.
ROSTER_MAX_SHEET_ROWS = envint("ROSTER_MAX_SHEET_ROWS", 120_000)
ROSTER_MAX_COLUMNS = envint("ROSTER_MAX_COLUMNS", 64)

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mutualaid.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "mutualaid.api.schema.PortalAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "mutualaid.api.pagination.KeysetPagination",
    # JSON bodies must be objects of storable text (mutualaid/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "mutualaid.api.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["mutualaid.api.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_RATE", "6000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "职工互助保障 API",
    "DESCRIPTION": (
        "职工互助保障的互助计划、参保登记、缴费和给付接口。\n\n"
        "- 认证：在门户“接口令牌”页面（或 `POST /api/v1/tokens/`，需登录）创建令牌，"
        "请求头 `Authorization: Token mah_…`；"
        "令牌以其用户的角色和范围操作，撤销或过期后立即 401。\n"
        "- 地址：每个地址都以 `/` 结尾；"
        "旧地址在本版本内以 308 转到新地址（带 `Deprecation` 头）。\n"
        '- 错误：400 为 `{字段: [消息]}`，401/403/404/429 为 `{"detail": 消息}`。\n'
        "- 频率：每个令牌单独计数，超出时 429 并带 `Retry-After`（秒）。\n"
        "- 列表按游标分页：`next` 为下一页地址，没有下一页时为 null。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page: signed-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api_summaries.add_chinese_summaries",
    ],
    "TAGS": [
        {"name": "tokens", "description": "接口令牌：创建（密钥只显示一次）、查看最近使用、撤销。"},
        {
            "name": "service-accounts",
            "description": "服务账号：办公室管理员为本节点的对接系统设立。",
        },
        {"name": "me", "description": "当前用户：节点和角色。"},
        {
            "name": "organisations",
            "description": "组织树：办事处、市、县、产业、代办点、基层单位。",
        },
        {"name": "users", "description": "用户和角色。"},
        {"name": "units", "description": "基层工会（单位）登记信息。"},
        {"name": "members", "description": "会员：身份证号校验、脱敏显示、调动。"},
        {"name": "plans", "description": "互助计划、版本和保障项目。"},
        {
            "name": "enrolments",
            "description": "参保登记：名单、名单文件上传（预检和导入）、提交、审核、发票。",
        },
        {"name": "policies", "description": "保障凭证（参保后生成）。"},
        {"name": "invoices", "description": "缴费通知和到账登记。"},
        {"name": "renewals", "description": "续保提醒。"},
        {"name": "incident-reports", "description": "出险报案。"},
        {"name": "claims", "description": "给付申请、材料、审核和通知书。"},
        {"name": "payout-batches", "description": "给付批次：审批、银行文件、支付结果。"},
        {"name": "stats", "description": "统计：节点汇总和报表。"},
    ],
    # Field names (status, kind) used by several choice sets: each set named once.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "mutualaid.tenancy.models.OrganisationKind",
        "StatusEnum": "plans.models.VersionStatus",
        "EnrolmentStatusEnum": "enrolment.models.EnrolmentStatus",
        "EnrolmentKindEnum": "enrolment.models.EnrolmentKind",
        "EnrolmentLineStatusEnum": "enrolment.models.LineStatus",
        "PolicyStatusEnum": "enrolment.models.PolicyStatus",
        "InvoiceStatusEnum": "premiums.models.InvoiceStatus",
        "PaymentKindEnum": "premiums.models.PaymentKind",
        "PartyEnum": "premiums.models.Party",
        "IncidentReportStatusEnum": "claims.models.ReportStatus",
        "ClaimStatusEnum": "claims.models.ClaimStatus",
        "PayoutBatchStatusEnum": "claims.models.BatchStatus",
        "PayoutLineStatusEnum": "claims.models.LineStatus",
    },
}

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
# Self-hosted assets only: the office intranet has no internet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@mutualaid.invalid")
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", "")

# --- Notifications (issue 15; docs/operations.md "Notifications") ----------------------------
# Text messages: a backend class (mutualaid.notifications.sms); no gateway is shipped.
SMS_BACKEND = env("SMS_BACKEND", "mutualaid.notifications.sms.ConsoleBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms.jsonl"))
# Notifications older than this many days move to the archive (a nightly task).
NOTIFICATION_ARCHIVE_DAYS = envint("NOTIFICATION_ARCHIVE_DAYS", 180)

# --- Logging: one JSON object a line in production, readable lines in development.
LOG_FORMAT = env("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": True,  # ISO 8601 in UTC, whatever TIME_ZONE the process has loaded
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Domain settings ----------------------------------------------------------
# Default for new tenants; each tenant stores its own threshold (SPEC §2).
DEFAULT_FOUR_EYES_THRESHOLD = "10000.00"
