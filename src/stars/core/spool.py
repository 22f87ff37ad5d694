"""The files of a form, written to disk while the request is read.

Django keeps a file of up to 2.5 MB in memory and writes a larger one to
``FILE_UPLOAD_TEMP_DIR`` (under STARS_HOME: the disk sized for the service, not the system's
/tmp) as it reads the request, before any view runs. When that disk is full, the answer is
the uploads' own: 503, "nothing was uploaded", no part of a file left; not a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest
from django.shortcuts import render

logger = logging.getLogger("stars.uploads")

#: An archive sent (a ZIP of returns, an XLSX workbook, itself a ZIP) may unpack to at most
#: this many times the upload limit (``max_upload_bytes``).
UNPACKED_FACTOR = 10


def max_upload_bytes() -> int:
    """The largest file an upload may hold (``STARS_UPLOAD_MAX_MB``); the largest workbook
    of returns read from a folder too."""
    return int(settings.STARS_UPLOAD_MAX_MB) * 1024 * 1024


NOT_STORED = (
    "The files could not be stored on the server ({why}), so nothing was uploaded. "
    "Try again later, or tell your administrator."
)


class SpoolHandler(TemporaryFileUploadHandler):
    """Django's handler for files written to disk, keeping every file it starts so that a
    request whose files cannot all be written deletes the ones it wrote (Django's parser
    leaves them to the garbage collector)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started: list[Any] = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.started.append(self.file)

    def discard(self) -> None:
        for file in self.started:
            file.close()  # a temporary file is deleted as it is closed
        self.started.clear()


def spool_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """Read a form's files before anything else asks for them (the CSRF check does): when
    they cannot be written, the page says so with 503. The parser's half-written temporary
    files are deleted as the error is let go of."""

    def middleware(request: HttpRequest) -> Any:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 (reading it writes the files)
            except OSError as exc:
                why = exc.strerror or type(exc).__name__
                for handler in request.upload_handlers:
                    if isinstance(handler, SpoolHandler):
                        handler.discard()
                logger.error(
                    "upload to %s not stored in %s: %s",
                    request.path,
                    settings.FILE_UPLOAD_TEMP_DIR,
                    why,
                )
                return render(
                    request,
                    "503_not_stored.html",
                    {"message": NOT_STORED.format(why=why)},
                    status=503,
                )
        return get_response(request)

    return middleware
