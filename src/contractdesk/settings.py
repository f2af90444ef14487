"""Django settings for contractdesk.

Every setting has an embedded default that works on a fresh machine: SQLite and
local files under ``data/``. Environment variables switch to PostgreSQL, Redis
and production behaviour.
"""

import os
from pathlib import Path

import dj_database_url

from contractdesk.logging import configure_logging

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("CONTRACTDESK_DATA_DIR", PROJECT_DIR / "data"))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Read SECRET_KEY from the environment, or keep a generated one in the data folder."""
    from_env = os.environ.get("CONTRACTDESK_SECRET_KEY")
    if from_env:
        return from_env

    key_file = DATA_DIR / "secret-key"
    if not key_file.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


DEBUG = _env_flag("CONTRACTDESK_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("CONTRACTDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    origin for origin in os.environ.get("CONTRACTDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if origin
]

# Absolute address of this server, used for links written back to Salesforce.
SITE_URL = os.environ.get("CONTRACTDESK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "contractdesk.accounts",
    "contractdesk.audit",
    "contractdesk.companies",
    "contractdesk.contracts",
    "contractdesk.documents",
    "contractdesk.intake",
    "contractdesk.salesconnect",
    "contractdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "contractdesk.logging.RequestIdMiddleware",
]

ROOT_URLCONF = "contractdesk.urls"
WSGI_APPLICATION = "contractdesk.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'contractdesk.sqlite3'}",
        conn_max_age=60,
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; the busy timeout makes
    # a writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:queue"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_flag("CONTRACTDESK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Background work. Huey keeps its queue in SQLite unless REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "contractdesk",
    "immediate": _env_flag("CONTRACTDESK_HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY["huey_class"] = "huey.RedisHuey"
    HUEY["url"] = REDIS_URL
else:
    HUEY["huey_class"] = "huey.SqliteHuey"
    HUEY["filename"] = str(DATA_DIR / "huey.sqlite3")

# Uploaded and synced contract files larger than this are refused.
CONTRACTDESK_MAX_FILE_BYTES = int(os.environ.get("CONTRACTDESK_MAX_FILE_BYTES", 50 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# SalesConnect: how to reach the Salesforce org. Secrets come from the
# environment or from files named here, never from the database.
SALESCONNECT = {
    "LOGIN_URL": os.environ.get("SALESFORCE_LOGIN_URL", ""),
    "AUTH_FLOW": os.environ.get("SALESFORCE_AUTH_FLOW", "client_credentials"),
    "CLIENT_ID": os.environ.get("SALESFORCE_CLIENT_ID", ""),
    "CLIENT_SECRET": os.environ.get("SALESFORCE_CLIENT_SECRET", ""),
    "USERNAME": os.environ.get("SALESFORCE_USERNAME", ""),
    "JWT_KEY_FILE": os.environ.get("SALESFORCE_JWT_KEY_FILE", ""),
    "CA_BUNDLE": os.environ.get("SALESFORCE_CA_BUNDLE", ""),
    "API_VERSION": os.environ.get("SALESFORCE_API_VERSION", "62.0"),
    # Seconds to wait for the org to accept the connection, and then to respond.
    "TIMEOUT": (5.0, float(os.environ.get("SALESFORCE_READ_TIMEOUT", "60"))),
    # How often the poller looks for submitted requests, in seconds.
    "POLL_SECONDS": int(os.environ.get("SALESCONNECT_POLL_SECONDS", "15")),
    # SalesConnect pauses while the org has used more than this share of its daily API limit.
    "API_SHARE": float(os.environ.get("SALESCONNECT_API_SHARE", "0.8")),
    # How far each poll window reaches back before the last watermark, in seconds,
    # so a record committed late in the previous window is not missed.
    "POLL_OVERLAP_SECONDS": 60,
}

LOG_FORMAT = os.environ.get("CONTRACTDESK_LOG_FORMAT", "console" if DEBUG else "json")
LOGGING_CONFIG = None
configure_logging(LOG_FORMAT, os.environ.get("CONTRACTDESK_LOG_LEVEL", "INFO"))
SAMPLE_DATA_DIR = Path(os.environ.get("CONTRACTDESK_SAMPLE_DATA_DIR", PROJECT_DIR.parent / "shared" / "data"))
