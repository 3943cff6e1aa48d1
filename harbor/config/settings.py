"""Settings for Information Harbor, read from environment variables only (12-factor).

Every variable is documented in docs/OPERATIONS.md. Without any variable set, the platform runs on the
embedded default: SQLite in ``var/`` (or ``$HARBOR_DATA_DIR``), debug off, bound to localhost.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean variable: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated variable as a list without empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("HARBOR_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use HARBOR_SECRET_KEY; on the embedded default keep a generated key in the data directory."""
    if key := os.environ.get("HARBOR_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("HARBOR_DEBUG")
ALLOWED_HOSTS = env_list("HARBOR_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("HARBOR_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "harbor.core",
    "harbor.reference",
    "harbor.directory",
    "harbor.search",
    "harbor.language",
    "harbor.sharing",
    "harbor.fx",
    "harbor.trade",
]

MIDDLEWARE = [
    "harbor.core.middleware.RequestLogMiddleware",
    "harbor.core.middleware.BodySizeLimitMiddleware",
    "harbor.core.middleware.NullCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "harbor.directory.middleware.ActorMiddleware",
    "harbor.core.middleware.RateLimitMiddleware",
    "harbor.core.middleware.IdempotencyMiddleware",
]

ROOT_URLCONF = "harbor.config.urls"
WSGI_APPLICATION = "harbor.config.wsgi.application"
ASGI_APPLICATION = "harbor.config.asgi.application"

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
                "harbor.core.context_processors.harbor",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'harbor.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("HARBOR_DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Keep connections open: opening one runs the PRAGMAs below on every request otherwise.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("HARBOR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Eleven UI locales: the official languages of the eleven states, Tamil for Singapore.
LANG_INFO.setdefault(
    "fil", {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"}
)
LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"})
LANG_INFO["km"]["name_local"] = "ខ្មែរ"
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("id", _("Indonesian")),
    ("ms", _("Malay")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
    ("fil", _("Filipino")),
    ("km", _("Khmer")),
    ("lo", _("Lao")),
    ("my", _("Burmese")),
    ("ta", _("Tamil")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("HARBOR_TIME_ZONE", "Asia/Singapore")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Security headers.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("HARBOR_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("HARBOR_BEHIND_TLS_PROXY") else None
)
SECURE_HSTS_SECONDS = int(os.environ.get("HARBOR_HSTS_SECONDS", "0"))
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

# Request limits (bytes) and rate limits (requests per minute).
HARBOR_MAX_BODY_BYTES = int(os.environ.get("HARBOR_MAX_BODY_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = HARBOR_MAX_BODY_BYTES
HARBOR_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("HARBOR_MAX_ATTACHMENT_BYTES", str(20 * 1024 * 1024))
)
HARBOR_RATE_LIMIT_TOKEN = int(os.environ.get("HARBOR_RATE_LIMIT_TOKEN", "600"))
HARBOR_RATE_LIMIT_IP = int(os.environ.get("HARBOR_RATE_LIMIT_IP", "300"))
HARBOR_OUTBOUND_ALLOWED_NETWORKS = env_list("HARBOR_OUTBOUND_ALLOWED_NETWORKS", "")
HARBOR_SEARCH_SEMANTIC = env_bool("HARBOR_SEARCH_SEMANTIC", True)
HARBOR_SEARCH_RANK_WINDOW = int(os.environ.get("HARBOR_SEARCH_RANK_WINDOW", "1000"))
HARBOR_SEARCH_SEMANTIC_CANDIDATES = int(os.environ.get("HARBOR_SEARCH_SEMANTIC_CANDIDATES", "5000"))
# Machine translation: converted CTranslate2 models, one folder each with a manifest.json (see OPERATIONS.md).
HARBOR_MT_MODELS_DIR = Path(os.environ.get("HARBOR_MT_MODELS_DIR", str(DATA_DIR / "mt-models")))
# Threads CTranslate2 may use per translation (intra-op), and sentences per batch.
HARBOR_MT_THREADS = int(os.environ.get("HARBOR_MT_THREADS", "2"))
HARBOR_MT_BATCH_SIZE = int(os.environ.get("HARBOR_MT_BATCH_SIZE", "32"))
# Similarity (0-100) a translation-memory unit needs to be offered as a fuzzy match.
HARBOR_TM_FUZZY_THRESHOLD = int(os.environ.get("HARBOR_TM_FUZZY_THRESHOLD", "90"))
HARBOR_PUBLIC_URL = os.environ.get("HARBOR_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
HARBOR_API_TOKEN_DEFAULT_DAYS = int(os.environ.get("HARBOR_API_TOKEN_DEFAULT_DAYS", "90"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "harbor",
    }
}
if cache_url := os.environ.get("HARBOR_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": cache_url,
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get(
    "HARBOR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("HARBOR_FROM_EMAIL", "harbor@localhost")
EMAIL_HOST = os.environ.get("HARBOR_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HARBOR_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("HARBOR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HARBOR_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HARBOR_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("HARBOR_EMAIL_USE_SSL")
EMAIL_TIMEOUT = 10

NINJA_PAGINATION_PER_PAGE = 50

LOG_FORMAT = os.environ.get("HARBOR_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HARBOR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
