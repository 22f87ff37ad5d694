"""Django settings: everything from the environment, with safe local defaults.

- ``STARS_HOME`` (default ``./var``): the data directory (SQLite file, exports).
- ``DATABASE_URL``: the database; none means SQLite at ``$STARS_HOME/stars.sqlite3``.
- ``STARS_ENV=production``: refuses to start without ``STARS_SECRET_KEY``, turns on the
  secure-cookie/HSTS/SSL settings that ``stars check`` (Django's deploy checks) expects.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
STARS_HOME = Path(os.environ.get("STARS_HOME", Path.cwd() / "var")).resolve()
STARS_ENV = os.environ.get("STARS_ENV", "development")
PRODUCTION = STARS_ENV == "production"

SECRET_KEY = os.environ.get("STARS_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "STARS_ENV=production needs STARS_SECRET_KEY (a long random value); refusing to start."
        )
    SECRET_KEY = "django-insecure-local-development-only-not-for-production-use"

DEBUG = os.environ.get("STARS_DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "STARS_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost"
    ).split(",")
    if h.strip()
]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "stars.core",
    "stars.partnership",
    "stars.referrals",
    "stars.cases",
    "stars.finance",
    "stars.reports",
    "stars.sufficiency",
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
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stars.web.urls"
WSGI_APPLICATION = "stars.core.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stars.core.permissions.navigation",
            ],
        },
    }
]

STARS_HOME.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{STARS_HOME / 'stars.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets pages read while an import writes; a 128 MB page cache keeps the indexes of a
    # large programme in memory during an import (SQLite's default is 2 MB)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        init_command=(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
        ),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnership.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed sign-ins (django-axes): 5 failures lock for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("STARS_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Sessions expire after 30 minutes idle and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("STARS_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("STARS_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy: same-origin only; GOV.UK Frontend's one inline script is hashed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = STARS_HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "core" / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The sample contract loaded by `stars demo` and used when none is named.
STARS_DEFAULT_CONTRACT = Path(
    os.environ.get("STARS_CONTRACT", PROJECT_DIR / "contracts" / "dn2-stars.toml")
)
# Sufficiency configuration: unit costs, child population, comparators, targets.
STARS_SUFFICIENCY_CONFIG = Path(
    os.environ.get("STARS_SUFFICIENCY_CONFIG", PROJECT_DIR / "config" / "sufficiency.toml")
)
# The virtual environment of DfE's SSDA903 validator (`stars sufficiency validate` makes it).
STARS_VALIDATOR_903 = Path(os.environ.get("STARS_VALIDATOR_903", PROJECT_DIR / ".venv-903"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STARS_LOG_LEVEL", "WARNING")},
}

# GOV.UK Frontend's stylesheet asks for /assets/...; serve its dist folder at the root.
_GOVUK = PACKAGE_DIR / "core" / "static" / "govuk"
if (_GOVUK / "assets").is_dir():
    WHITENOISE_ROOT = _GOVUK
