"""Figures cached per version of the data they are computed from.

Pages that run the outcomes engine over the whole programme (money, investor, reports)
compute their figures once per version of the records and keep them in Django's cache:
local memory in each server process by default, or the shared cache ``STARS_CACHE_URL``
names (Redis in production, ``redis://HOST:6379/0``). The version is part of the key, so
any change to the records (a new version) is a miss and the figures are worked out anew;
nothing is ever invalidated by hand and a stale figure cannot be served.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
TIMEOUT = 24 * 3600  # seconds: old versions' figures age out on their own


def cached_figures(name: str, version: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s result for (``name``, ``parts``) at data ``version``, from the cache
    when it holds it, else computed and stored. ``parts`` is anything with a stable
    ``repr`` (dates, strings, tuples of codes): they and the version make the key."""
    digest = hashlib.sha256(repr((version, parts)).encode()).hexdigest()[:32]
    key = f"stars:figures:{name}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value
