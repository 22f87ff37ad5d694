"""Django settings: everything from the environment, with safe local defaults.

- ``STARS_HOME`` (default ``./var``): the data directory (SQLite file, exports).
- ``DATABASE_URL``: the database; none means SQLite at ``$STARS_HOME/stars.sqlite3``.
- ``STARS_ENV=production``: refuses to start without ``STARS_SECRET_KEY`` and
  ``STARS_PSEUDONYM_KEY``, turns on the secure-cookie/HSTS/SSL settings that ``stars check``
  (Django's deploy checks) expects.
- ``STARS_DEBUG=1``: Django's debug pages (tracebacks, URL lists); off in every mode otherwise.
- ``STARS_PROXY_HEADER`` / ``STARS_PROXY_COUNT``: where the client's address is read behind
  a reverse proxy (sign-in lockout is per user name and address).
- ``STARS_SQLITE_TIMEOUT``: seconds a write on SQLite waits for another's (an import's) lock.
- ``STARS_CACHE_URL``: a shared cache (``redis://HOST:6379/0``) for figures cached per data
  version (``stars.core.cache``); none means each process's own memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from stars.core.logs import logging_config
from stars.core.system import os_user

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
STARS_HOME = Path(os.environ.get("STARS_HOME", Path.cwd() / "var")).resolve()
# Every file and folder the service makes (the SQLite database, uploaded files, the outbox,
# backups, exports written with --out) is its own user's only: they hold children's records,
# and the usual umask (022) left them readable by every account on the machine. Set here, as
# every process of the service (a command, the web server's workers, the job worker) starts.
os.umask(0o077)


def _data_directory(path: Path) -> None:
    """Make ``path`` (under STARS_HOME) if missing; refuse to start, in one line, when it
    cannot be made or this user cannot write in it (uploads, the outbox and SQLite live
    there: found out now, not when a user's upload fails)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"STARS_HOME: cannot make the data directory {path} ({exc.strerror}); "
            "refusing to start."
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(
            f"STARS_HOME: the data directory {path} is not writable by the user {os_user()}; "
            "refusing to start."
        )


def _whole_number(name: str, default: int, least: int) -> int:
    """A whole-number setting from the environment; a value that is not one, or is below
    ``least``, refuses to start in one line naming the setting, the value and what is
    expected (not a traceback from ``int``)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected a whole number, {least} or more; refusing to start."
        )
    return value


def _on_off(name: str, default: bool) -> bool:
    """A setting that is on (``1``) or off (``0``); anything else refuses to start in one
    line (``STARS_DEBUG=yes`` was silently off)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in ("0", "1"):
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected 1 (on) or 0 (off); refusing to start."
        )
    return raw == "1"


STARS_ENV = os.environ.get("STARS_ENV", "").strip() or "development"
if STARS_ENV not in ("production", "development"):
    # "prod" or "Production" ran as development: the development secret key, no secure
    # cookies, and `stars demo` (which erases the database) no longer refused
    raise ImproperlyConfigured(
        f"STARS_ENV={STARS_ENV!r}: expected production or development; refusing to start."
    )
PRODUCTION = STARS_ENV == "production"

SECRET_KEY = os.environ.get("STARS_SECRET_KEY", "")
# The key of the pseudonyms in the evaluator's extract (stars.domain.disclosure): without it
# nobody can link a pseudonym back to a referral, so it is kept apart from the records.
STARS_PSEUDONYM_KEY = os.environ.get("STARS_PSEUDONYM_KEY", "")
_missing = [
    name
    for name, value in (
        ("STARS_SECRET_KEY", SECRET_KEY),
        ("STARS_PSEUDONYM_KEY", STARS_PSEUDONYM_KEY),
    )
    if not value
]
if PRODUCTION and _missing:
    raise ImproperlyConfigured(
        f"STARS_ENV=production needs {' and '.join(_missing)} (long random values); "
        "refusing to start."
    )


def _weak_key(value: str) -> bool:
    """A key anyone could guess: Django's own test of a secret key (its deployment check
    security.W009): under 50 characters, under 5 different ones, or Django's throwaway."""
    return len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-")


_weak = [
    name
    for name, value in (
        ("STARS_SECRET_KEY", SECRET_KEY),
        ("STARS_PSEUDONYM_KEY", STARS_PSEUDONYM_KEY),
    )
    if _weak_key(value)
]
if PRODUCTION and _weak:
    # the server started with any value (`stars check` only warned, of the secret key
    # alone), so a placeholder left in the settings file signed every session cookie
    raise ImproperlyConfigured(
        f"STARS_ENV=production: {' and '.join(_weak)} {'is' if len(_weak) == 1 else 'are'} "
        "too short or too simple (50 "
        "characters or more, of at least 5 different; make one with: python3 -c "
        "'import secrets; print(secrets.token_urlsafe(50))'); refusing to start."
    )
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only-not-for-production-use"
STARS_PSEUDONYM_KEY = STARS_PSEUDONYM_KEY or "local-development-pseudonym-key-not-for-production"

# Debug pages list every URL and show tracebacks: only when asked for, in any mode.
DEBUG = _on_off("STARS_DEBUG", False)
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
    "stars.core.apps.StarsAdminConfig",  # Django's admin, audited (stars.core.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # `stars serve` serves static files through WhiteNoise too
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "stars.core",
    "stars.jobs",
    "stars.partnership",
    "stars.notifications",
    "stars.referrals",
    "stars.cases",
    "stars.finance",
    "stars.reports",
    "stars.sufficiency",
    "stars.governance",
    "stars.uploads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "stars.core.sessions.session_refresh_middleware",
    "stars.core.sessions.private_pages_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "stars.core.programmes.programme_middleware",
    "stars.core.api.problem_middleware",
    "stars.core.spool.spool_middleware",
    "stars.web.no_contract.NoContractMiddleware",
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
                "stars.core.sessions.session_timeout",
                "stars.core.dates.date_context",
                "stars.partnership.context.date_choices",
                "stars.notifications.context.unread",
            ],
        },
    }
]

_data_directory(STARS_HOME)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{STARS_HOME / 'stars.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets pages read while an import writes; a 128 MB page cache keeps the indexes of a
    # large programme in memory during an import (SQLite's default is 2 MB; the SSDA903
    # import, which writes large texts once, and the pages reading them use 2 MB: see
    # stars.sufficiency.services). Transactions
    # take the write lock when they begin (IMMEDIATE): a transaction that read first and
    # then wrote would fail at once with "database is locked" when another wrote meanwhile
    # (two failed sign-ins at the same moment did), where waiting for the lock succeeds.
    # A write waits STARS_SQLITE_TIMEOUT seconds for the lock; an import holds it until it
    # ends, so what a page writes while one runs is kept or refused (stars.core.busy).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=_whole_number("STARS_SQLITE_TIMEOUT", 20, least=1),
        transaction_mode="IMMEDIATE",
        init_command=(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
        ),
    )
# Uploads in the browser (stars.uploads): the largest file accepted, in MB; kept under
# STARS_HOME/uploads/. A file over 2.5 MB is written to STARS_HOME/tmp/ while the request is
# read (not the system's /tmp: the disk sized for the service); when that disk is full the
# page says nothing was uploaded (stars.core.spool).
STARS_UPLOAD_MAX_MB = _whole_number("STARS_UPLOAD_MAX_MB", 50, least=1)
FILE_UPLOAD_TEMP_DIR = STARS_HOME / "tmp"
_data_directory(FILE_UPLOAD_TEMP_DIR)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "stars.core.spool.SpoolHandler",
]

# Background jobs (stars.jobs): Django's tasks framework with its database backend, so the
# embedded SQLite default needs nothing more and PostgreSQL works the same. `stars worker`
# runs them; `stars serve` starts one beside it on the embedded default.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Figures cached per data version (stars.core.cache): each process's own memory unless
# STARS_CACHE_URL names a shared cache (redis://HOST:6379/0: Redis, for several workers).
_CACHE_URL = os.environ.get("STARS_CACHE_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stars"}
    )
}
# With a shared cache, sessions are read from it (and written to the database too, so none is
# lost when the cache is flushed): no session query on every request. Not with each process's
# own memory, where signing out in one server process would leave the others' copies.
# Django's, held to an expiry moved while an import held SQLite's write lock (stars.core.busy).
SESSION_ENGINE = "stars.core.session_stores." + ("cached_db" if _CACHE_URL else "db")
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

# The reason given for a change (a correction's, a restriction's, a decision's) is kept in
# full in the record's history: django-simple-history's default column holds 100 characters,
# which PostgreSQL refuses to exceed (SQLite does not check), so a longer reason failed there.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Lockout after repeated failed sign-ins (django-axes): 5 failures of one user name from one
# address lock that user name at that address for 30 minutes. Other users behind the same
# address (a council's proxy) and the same user elsewhere are not locked.
AXES_FAILURE_LIMIT = _whole_number("STARS_LOCKOUT_FAILURES", 5, least=1)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "stars.core.security.client_address"
AXES_LOCKOUT_CALLABLE = "stars.core.security.lockout_response"
# Behind a reverse proxy, the client's address is in a header the proxy sets, e.g.
# X-Forwarded-For; STARS_PROXY_COUNT is the number of proxies in front of STARS that append
# to it (the address is that many entries from the right). Unset: the connection's address.
STARS_PROXY_HEADER = os.environ.get("STARS_PROXY_HEADER", "").strip()
STARS_PROXY_COUNT = _whole_number("STARS_PROXY_COUNT", 1, least=1)

# Sessions expire after 30 minutes idle and when the browser closes. The expiry is moved
# forward at most once a minute (stars.core.sessions), not saved on every request.
SESSION_COOKIE_AGE = _whole_number("STARS_SESSION_SECONDS", 1800, least=1)
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
    SECURE_SSL_REDIRECT = _on_off("STARS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's probe may come over HTTP

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
_data_directory(STATIC_ROOT)
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
# The retention schedule: how long each kind of record is kept (stars.governance).
STARS_RETENTION_CONFIG = Path(
    os.environ.get("STARS_RETENTION_CONFIG", PROJECT_DIR / "config" / "retention.toml")
)
# The DPIA's location and date and the privacy notice's contacts (stars.governance).
STARS_PRIVACY_CONFIG = Path(
    os.environ.get("STARS_PRIVACY_CONFIG", PROJECT_DIR / "config" / "privacy.toml")
)
# The virtual environment of DfE's SSDA903 validator (`stars sufficiency validate` makes it).
STARS_VALIDATOR_903 = Path(os.environ.get("STARS_VALIDATOR_903", PROJECT_DIR / ".venv-903"))

# Logs: JSON lines in production (stars.core.logs), plain text otherwise; STARS_LOG_FORMAT
# chooses explicitly. The WSGI server's request lines go to standard output, the rest to
# standard error.
STARS_LOG_FORMAT = os.environ.get("STARS_LOG_FORMAT", "json" if PRODUCTION else "text")
if STARS_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"STARS_LOG_FORMAT={STARS_LOG_FORMAT!r}: expected json or text")
_LOG_LEVEL = os.environ.get("STARS_LOG_LEVEL", "WARNING").strip().upper()
if _LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"STARS_LOG_LEVEL={_LOG_LEVEL!r}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL; "
        "refusing to start."
    )
LOGGING = logging_config(fmt=STARS_LOG_FORMAT, level=_LOG_LEVEL)

# GOV.UK Frontend's stylesheet asks for /assets/...; serve its dist folder at the root.
_GOVUK = PACKAGE_DIR / "core" / "static" / "govuk"
if (_GOVUK / "assets").is_dir():
    WHITENOISE_ROOT = _GOVUK

# Notifications by email: GOV.UK Notify when an API key is given (production), else one text
# file per email in the outbox folder. Template ids: one for every event, or per event as
# "event=id,event=id" (README.md, "Notifications").
STARS_NOTIFY_API_KEY = os.environ.get("STARS_NOTIFY_API_KEY", "").strip()
STARS_NOTIFY_TEMPLATE_ID = os.environ.get("STARS_NOTIFY_TEMPLATE_ID", "").strip()
STARS_NOTIFY_TEMPLATES = dict(
    pair.split("=", 1)
    for pair in os.environ.get("STARS_NOTIFY_TEMPLATES", "").replace(" ", "").split(",")
    if "=" in pair
)
STARS_OUTBOX = Path(os.environ.get("STARS_OUTBOX", STARS_HOME / "outbox"))
STARS_BASE_URL = os.environ.get("STARS_BASE_URL", "http://127.0.0.1:8000")
