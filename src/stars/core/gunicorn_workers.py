"""gunicorn's workers for `stars serve`, answering what gunicorn refuses itself as a Problem.

A request whose request line (method and address) or headers are over gunicorn's limits
(``limit_request_line``, ``limit_request_field_size``, ``limit_request_fields``) never
reaches the app: gunicorn answered 414 or 431 with an HTML page of its own, where every other
error of the API is a JSON Problem (``stars.core.api``). These workers are gunicorn's own (sync,
and gthread for ``--threads`` above 1; ``stars.core.serving`` names the one to use) answering
those two as ``{"detail": "..."}`` in JSON, which a browser shows as readable text too. Every
other refusal is gunicorn's, unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker


def too_large_answer(exc: Exception, cfg: Any) -> bytes | None:
    """The whole HTTP answer to a request over gunicorn's limits (None: not one of those)."""
    if isinstance(exc, LimitRequestLine):
        status = "414 URI Too Long"
        detail = (
            f"The request line (method and address) is over {cfg.limit_request_line} bytes: "
            "shorten the address or its query"
        )
    elif isinstance(exc, LimitRequestHeaders):
        status = "431 Request Header Fields Too Large"
        detail = (
            f"The request's headers are over the limit ({exc}): at most "
            f"{cfg.limit_request_fields} headers of {cfg.limit_request_field_size} bytes each "
            "(a cookie grown too large? clear this site's cookies)"
        )
    else:
        return None
    body = json.dumps({"detail": detail}).encode()
    head = (
        f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemAnswers:
    """Mixed into a gunicorn worker: its 414 and 431 as JSON (see the module)."""

    cfg: Any
    log: Any

    def handle_error(self, req: Any, client: Any, addr: Any, exc: Exception) -> None:
        answer = too_large_answer(exc, self.cfg)
        if answer is None:
            super().handle_error(req, client, addr, exc)  # type: ignore[misc]
            return
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, answer)
        except Exception:
            self.log.debug("Failed to send error message.")


class StarsSyncWorker(ProblemAnswers, SyncWorker):
    """gunicorn's sync worker (one thread a process)."""


class StarsThreadWorker(ProblemAnswers, ThreadWorker):
    """gunicorn's gthread worker (``--threads`` above 1)."""
