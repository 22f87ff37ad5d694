"""Figures cached per version of the data they are computed from.

Pages that run the outcomes engine over the whole programme (money, investor, reports)
compute their figures once per version of the records and keep them in Django's cache:
local memory in each server process by default, or the shared cache ``STARS_CACHE_URL``
names (Redis in production, ``redis://HOST:6379/0``). The version is part of the key, so
any change to the records (a new version) is a miss and the figures are worked out anew;
nothing is ever invalidated by hand and a stale figure cannot be served.

A version is read from the newest row of each model's history table and from
``DataVersionCounter``, a number that only goes up. A change the history cannot show calls
``data_version_bump`` in its transaction: a disposal (``stars.governance.services``) deletes
history rows, so a table's newest row may become an older one and the version would return
to one whose figures were cached from the records as they were then (names and notes since
disposed of among them), and clears fields without writing history at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, models
from django.db.models import F

from stars.core.models import DataVersionCounter
from stars.core.programmes import programme_active

T = TypeVar("T")
TIMEOUT = 24 * 3600  # seconds: old versions' figures age out on their own


def data_version(tracked: Sequence[type[models.Model]]) -> str:
    """The version of the records of the ``tracked`` models: the counter of changes the
    history cannot show (``data_version_bump``), then for a model with a history (every
    change, import or deletion of one is a row of its history table) the last history row's
    id and time, one indexed row; for one without, its row count and last id."""
    with connection.cursor() as cur:
        cur.execute(_version_sql(tuple(tracked)))
        row = cur.fetchone()
    return "|".join(str(v) for v in row)


@lru_cache(maxsize=64)
def _version_sql(tracked: tuple[type[models.Model], ...]) -> str:
    """``data_version``'s query, built once per tuple of models (reading a model's history
    manager builds a manager class each time: a tenth of a second for a page's versions)."""
    counter = DataVersionCounter._meta.db_table
    parts = [f"(SELECT CAST(COALESCE(MAX(value), 0) AS TEXT) FROM {counter})"]
    for model in tracked:
        if hasattr(model, "history"):
            table = model.history.model._meta.db_table
            parts.append(
                "(SELECT CAST(history_id AS TEXT) || '@' || CAST(history_date AS TEXT)"
                f" FROM {table} ORDER BY history_id DESC LIMIT 1)"
            )
        else:  # replaced, not edited (e.g. a year of SSDA903 returns): rows and last id
            table, pk = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
            parts.append(
                f"(SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(MAX({pk}) AS TEXT) FROM {table})"
            )
    return "SELECT " + ", ".join(parts)


def data_version_bump() -> None:
    """Move every data version on for good: call it inside the transaction of a change to
    tracked records that deletes history rows or writes none (a disposal)."""
    DataVersionCounter.objects.get_or_create(pk=1)
    DataVersionCounter.objects.filter(pk=1).update(value=F("value") + 1)


def cached_figures(name: str, version: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``'s result for (``name``, ``parts``) at data ``version``, from the cache
    when it holds it, else computed and stored. ``parts`` is anything with a stable
    ``repr`` (dates, strings, tuples of codes): they, the version and the programme worked
    in make the key, so a user of two programmes never sees one's figures in the other."""
    active = programme_active()
    programme = None if active is None else active.id
    digest = hashlib.sha256(repr((version, programme, parts)).encode()).hexdigest()[:32]
    key = f"stars:figures:{name}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value
