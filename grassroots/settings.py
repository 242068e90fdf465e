"""The one settings module. Everything that differs between machines comes from the
environment (see ``docs/operations.md`` for the list); nothing else overrides it."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from grassroots.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    read_or_create_secret,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "") or read_or_create_secret(DATA_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
    "django_tasks",
    "grassroots.web.tasks_app.TasksConfig",  # django_tasks_db, named in both languages
    "grassroots.audit",
    "grassroots.accounts",
    "grassroots.org",
    "grassroots.cases",
    "grassroots.activities",
    "grassroots.research",
    "grassroots.linkage",
    "grassroots.stats",
    "grassroots.open311",
    "grassroots.triage",
    "grassroots.web",
]

MIDDLEWARE = [
    "grassroots.web.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "grassroots.audit.context.AuditOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
WSGI_APPLICATION = "grassroots.wsgi.application"

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
                "grassroots.web.context_processors.shell",
            ],
        },
    },
]


# --- database -------------------------------------------------------------------------
def _database(name: str = "DATABASE_URL") -> dict[str, object]:
    url = env_str(name, "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'grassroots.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ConfigError(f"{name} is not usable: {exc}") from None
    engine = str(config["ENGINE"])
    options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]  # parse() types OPTIONS loosely
    if engine.endswith("sqlite3"):
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing on lock upgrade.
        options.setdefault(
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        )
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
    else:
        # Persistent connections: a fresh connection per request costs ~6x the throughput.
        config["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
        # JIT compiling spent 45 ms of a 60 ms province count at ten million cases; no
        # query here runs long enough to win it back (docs/performance.md).
        options.setdefault("options", "-c jit=off")
        # Prepared statements (DB_PREPARED_STATEMENTS=1): a statement run twice on a
        # connection is parsed once and, where PostgreSQL finds one plan as good for any
        # values, planned once. Per intake PostgreSQL's CPU 3.1 → 2.0 ms, and intake answered
        # from receipts reaches half the floor — but the plan kept for any values doubles a
        # province's dashboard at ten million cases (p95 155 → 322 ms), so it is off unless an
        # app server only takes intake (docs/performance.md, docs/operations.md). Keep it off
        # behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
        # before 1.21, or without max_prepared_statements).
        if env_bool("DB_PREPARED_STATEMENTS", False):
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", 2)
    config["OPTIONS"] = options
    config["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
    return config


DATABASES = {"default": _database()}
# A streaming replica for dashboards and statistics (grassroots/replicas.py); tests read the
# primary through it.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL") | {"TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["grassroots.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["grassroots.accounts.backends.PersonModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # a working day
# Served over HTTPS (HTTPS=1): redirect plain HTTP, and tell browsers to keep to HTTPS.
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", not DEBUG and env_bool("HTTPS", False))
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if env_bool("HTTPS", False) and not DEBUG else 0)
# check --deploy asks for both; turn them off (=0) if a subdomain still serves plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# How often `grassroots serve` hands the periodic tasks to the task worker.
SWEEP_EVERY_SECONDS = env_int("SWEEP_EVERY_SECONDS", 3600)
FOLD_EVERY_SECONDS = env_int("FOLD_EVERY_SECONDS", 60)
# Days that records which have served their purpose are kept, then dropped by the hourly
# pruning: intake receipts once registered (the case keeps their key), and the task
# worker's finished results (failed ones longer, for whoever looks into them).
RECEIPTS_KEPT_DAYS = env_int("RECEIPTS_KEPT_DAYS", 30)
TASK_RESULTS_KEPT_DAYS = env_int("TASK_RESULTS_KEPT_DAYS", 7)
FAILED_TASK_RESULTS_KEPT_DAYS = env_int("FAILED_TASK_RESULTS_KEPT_DAYS", 30)
# A TrueType file embedded in PDF briefings instead of the reader's standard Song face.
BRIEFING_FONT = env_str("BRIEFING_FONT", "")
# Load balancers whose X-Forwarded-For is believed (addresses or networks); see web.proxies.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
if env_bool("TRUST_X_FORWARDED_PROTO", False):  # behind a proxy that terminates TLS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- languages ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# Tests and the demo serve straight from the app folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "grassroots.web.pagination.KeysetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "grassroots.web.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "grassroots API",
    "DESCRIPTION": "Units, organisations, people and the closed loop of residents' problems.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "grassroots.cases.choices.CaseKind",
        "OrganisationKindEnum": "grassroots.org.choices.OrganisationKind",
        "ReviewOutcomeEnum": "grassroots.cases.choices.ReviewOutcome",
        "CaseStateEnum": "grassroots.cases.choices.State",
        "ActivityKindEnum": "grassroots.activities.choices.ActivityKind",
        "ActivityStateEnum": "grassroots.activities.choices.ActivityState",
        "AppointmentStateEnum": "grassroots.activities.choices.AppointmentState",
        "RankEnum": "grassroots.org.choices.Rank",
    },
}

# --- background work ------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- the closed loop -------------------------------------------------------------------
# Days past the handling deadline before an open case counts as a backlog case (积案).
BACKLOG_THRESHOLD_DAYS = env_int("BACKLOG_THRESHOLD_DAYS", 0)

# --- residents' reports (portal and Open311) ----------------------------------------------
# The unit code residents report to when they name none; empty: the top of the unit tree
# down to where it first branches (a county deployment needs no setting).
JURISDICTION = env_str("JURISDICTION", "")
# Reports per minute from one address on the portal; above it a burst is queued, and far
# above it (REPORT_REFUSE_FACTOR times) refused with a retryable 429.
PORTAL_REPORTS_PER_MINUTE = env_int("PORTAL_REPORTS_PER_MINUTE", 10)
REPORT_REFUSE_FACTOR = env_int("REPORT_REFUSE_FACTOR", 5)
# Wrong tracking secrets from one address in an hour before it must wait.
TRACKING_FAILURES_PER_HOUR = env_int("TRACKING_FAILURES_PER_HOUR", 10)
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 5 * 1024 * 1024)
PHOTOS_PER_REPORT = 3

# --- logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
