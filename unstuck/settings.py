"""Unstuck settings: one file, read from environment variables.

Every variable read here through the `env_*` helpers is documented in
docs/settings.md; `unstuck/tests/test_settings.py` fails when one is not.
Defaults run locally with no servers: a SQLite file in the data folder,
local-memory cache and the database task backend.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("UNSTUCK_DATA_DIR", str(Path.cwd() / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use UNSTUCK_SECRET_KEY, else a key generated once and kept in the data folder."""
    configured = env_str("UNSTUCK_SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("UNSTUCK_DEBUG", False)
ALLOWED_HOSTS = env_list("UNSTUCK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("UNSTUCK_CSRF_TRUSTED_ORIGINS", [])
# The public address of this server, used in links it sends (emails, xAPI `more` links,
# the widget's script tag). Empty means "derive from the request".
BASE_URL = env_str("UNSTUCK_BASE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "unstuck.accounts",
    "unstuck.content",
    "unstuck.lrs",
    "unstuck.delivery",
    "unstuck.insights",
    "unstuck.guidance",
    "unstuck.adaptive",
    "unstuck.demo",
]

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
]

ROOT_URLCONF = "unstuck.urls"
WSGI_APPLICATION = "unstuck.wsgi.application"

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
            ],
        },
    },
]

# --- database -------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "unstuck.db.sqlite3",
            "NAME": str(DATA_DIR / "unstuck.sqlite3"),
            # Keep each thread's connection: opening one runs the PRAGMAs below, which
            # cost more than a whole simple request (measured by bench/units_api.py).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE: writers take the lock at BEGIN, so concurrent writers wait
                # (busy timeout) instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # WAL lets readers run beside the writer. synchronous=FULL makes every
                # acknowledged commit survive a crash of the process or the machine.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    f"PRAGMA synchronous={env_str('UNSTUCK_SQLITE_SYNCHRONOUS', 'FULL')};"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA temp_store=MEMORY;"
                    # Checkpoints run after the write lock is released (unstuck/db/sqlite3);
                    # SQLite's own, under the lock, only past 64 MB of WAL.
                    "PRAGMA wal_autocheckpoint=16384;"
                ),
            },
            # Tests use a file, not shared-cache memory: browser tests send concurrent
            # requests to the live server, which an in-memory database answers with
            # "database table is locked"; a WAL file makes them wait instead. One file
            # per test process, removed when the run ends.
            "TEST": {"NAME": str(DATA_DIR / f"test-unstuck-{os.getpid()}.sqlite3")},
        }
    }
# Parallel test runs (several people or CI jobs on one PostgreSQL) need their own test
# database names.
_test_suffix = env_str("UNSTUCK_TEST_DB_SUFFIX", "")
if _test_suffix:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"test_unstuck_{_test_suffix}"
        if DATABASE_URL
        else str(DATA_DIR / f"test-unstuck-{_test_suffix}.sqlite3")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "unstuck",
        }
    }

# --- background jobs ------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("UNSTUCK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("UNSTUCK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- i18n -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("hu", "Magyar")]
TIME_ZONE = env_str("UNSTUCK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("UNSTUCK_MEDIA_DIR", str(DATA_DIR / "media")))
# Serve /media/ from MEDIA_ROOT (with byte ranges); turn off when a proxy or S3 serves it.
SERVE_MEDIA = env_bool("UNSTUCK_SERVE_MEDIA", True)
# The largest media upload (POST /api/v1/media); file parts are not covered by the body limit.
MAX_MEDIA_BYTES = env_int("UNSTUCK_MAX_MEDIA_BYTES", 200 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- email ----------------------------------------------------------------------
EMAIL_HOST = env_str("UNSTUCK_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("UNSTUCK_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("UNSTUCK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("UNSTUCK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("UNSTUCK_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("UNSTUCK_EMAIL_FROM", "Unstuck <unstuck@localhost>")
EMAIL_BACKEND = env_str("UNSTUCK_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# --- request limits -------------------------------------------------------------
# Larger bodies are refused with 413 before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UNSTUCK_MAX_BODY_BYTES", 10 * 1024 * 1024)

# --- the assistant (optional LLM behind an OpenAI-compatible API) -----------------
LLM_BASE_URL = env_str("UNSTUCK_LLM_BASE_URL", "")
LLM_MODEL = env_str("UNSTUCK_LLM_MODEL", "")
LLM_API_KEY = env_str("UNSTUCK_LLM_API_KEY", "")
LLM_TIMEOUT_S = env_int("UNSTUCK_LLM_TIMEOUT_S", 30)

# Benchmark-only URLs (a bare JSON view, the ceiling in bench/units_api.py). Off in production.
BENCH_VIEWS = env_bool("UNSTUCK_BENCH_VIEWS", False)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("UNSTUCK_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

if not DEBUG:
    SILENCED_SYSTEM_CHECKS: list[str] = []
