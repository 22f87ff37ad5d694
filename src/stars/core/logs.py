"""Structured logs: one JSON object a line (production), or plain text (development).

``STARS_LOG_FORMAT`` chooses (``json`` or ``text``; default ``json`` when
``STARS_ENV=production``). A request line of the WSGI server (gunicorn's access log) becomes
``{"event": "request", "method", "path", "status", "duration_ms", "bytes", "client"}``:
the path without its query string, and never a header or cookie, so no personal data
reaches the log from a request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

ACCESS_LOGGER = "gunicorn.access"


def _number(value: object) -> object:
    try:
        return int(str(value))
    except ValueError:
        return None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger and message, the
    exception's traceback when there is one; request fields for the access log."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        atoms = record.args
        if record.name == ACCESS_LOGGER and isinstance(atoms, Mapping):
            entry.update(
                event="request",
                method=atoms.get("m"),
                path=atoms.get("U"),
                status=_number(atoms.get("s")),
                duration_ms=_number(atoms.get("M")),
                bytes=_number(atoms.get("B")),
                client=atoms.get("h"),
                pid=record.process,
            )
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RefusalsWithoutTraceback(logging.Filter):
    """Django logs every refused request (403, 404, 400: a user's wrong turn, not a fault)
    with the exception behind it; the line is kept, its traceback dropped. A server error
    (500 and above) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.") and isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def logging_config(*, fmt: str, level: str) -> dict[str, Any]:
    """The ``LOGGING`` dictionary: everything to standard error at ``level`` (Django's
    errors included), the WSGI server's request lines to standard output."""
    formatter = (
        {"()": "stars.core.logs.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    access = {"()": "stars.core.logs.JsonFormatter"} if fmt == "json" else {"format": "%(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"stars": formatter, "access": access},
        "filters": {"refusals": {"()": "stars.core.logs.RefusalsWithoutTraceback"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "stars",
                "filters": ["refusals"],
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            ACCESS_LOGGER: {"handlers": ["access"], "level": "INFO", "propagate": False},
            "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "stars.jobs": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # django-axes announces itself (its version, what it locks by) every time Django
            # starts: a line on every command at INFO. Its lockout records (a repeated
            # failure, a lockout) are warnings from its handlers, kept.
            "axes.apps": {"level": "WARNING"},
        },
    }
