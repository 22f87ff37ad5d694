"""gunicorn's configuration for `stars serve` (``-c python:stars.core.gunicorn_conf``).

The master process only reads this; each worker loads the app itself after the fork
(``preload_app`` off): the app imports Polars, whose background threads would not survive
a fork, and a worker forked from a master holding them hangs when it exits. Each worker
then imports every page's code at once (``post_worker_init``), before its first request,
so no user's first page waits seconds for the imports (benchmarks/README.md, "Home pages").
A request line names the client as the sign-in lockout does (``stars.core.security``): behind
a proxy (``STARS_PROXY_HEADER``), the forwarded address, not the proxy's.
"""

import os
from typing import Any

from django.conf import settings
from django.urls import get_resolver
from gunicorn.glogging import Logger

from stars.core.security import environ_client_address
from stars.core.system import die_with_parent

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")

wsgi_app = "stars.core.wsgi:application"
preload_app = False
# A request taking longer than this is stopped (and logged); long work is a job.
timeout = 120
graceful_timeout = 30
# An idle connection is kept this long (seconds) for the client's next request: longer than
# a browser's or a TLS proxy's own idle timeout (nginx upstream keepalive: 60 s), so the
# client closes first. gunicorn's default, 2 s, is shorter than a user's pause between pages:
# the server then closes connections the client is about to reuse, and under load a request
# can be sent on one as it closes and get no answer.
keepalive = 75
control_socket_disable = True
proc_name = "stars"
logconfig_dict = settings.LOGGING  # JSON lines in production (stars.core.logs)
# A request line in text logs: client, method, path without its query, status, bytes and
# milliseconds; never the query string (a search box's text: a child's name), the referring
# page's address (the same, from the page before) or a header (stars.core.logs for JSON).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class RequestLogger(Logger):
    """gunicorn's logger, its client (``h``, in text and JSON lines alike) the client's
    address as the sign-in lockout reads it, not always the connection's."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["h"] = environ_client_address(environ) or "-"
        return atoms


logger_class = RequestLogger


def on_starting(server: Any) -> None:
    """The master process ends with the `stars serve` that started it, however it ends."""
    die_with_parent()


def post_worker_init(worker: Any) -> None:
    """Import the URLconf, and with it every view, as soon as the worker has loaded the app."""
    get_resolver().url_patterns  # noqa: B018 (the import is the point)
