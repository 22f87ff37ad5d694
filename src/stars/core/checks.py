"""STARS's own deployment checks, run by `stars check` beside Django's (``--deploy``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.checks import Warning as CheckWarning

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", ""})


def base_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every email links to ``STARS_BASE_URL``: left at its default (or any address of this
    machine only), no one it is sent to can follow the link."""
    url = settings.STARS_BASE_URL
    if (urlsplit(url).hostname or "") not in LOCAL_HOSTS:
        return []
    return [
        CheckWarning(
            f"STARS_BASE_URL is {url} (its default when not set), an address of this "
            "machine only: every email links there, and the people it is sent to cannot "
            "open it.",
            hint="Set STARS_BASE_URL to the service's https:// address, e.g. "
            "https://stars.example.gov.uk.",
            id="stars.W001",
        )
    ]
