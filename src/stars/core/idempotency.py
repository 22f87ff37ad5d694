"""The API's ``Idempotency-Key``: a write sent again under the same key is answered as the
first time and does nothing (``stars.domain.idempotency`` holds the rules).

An operation that makes a record takes the header (:data:`IdempotencyKeyHeader`) and hands
its work to :func:`idempotent`: without a key the work is simply done; with one, the key is
stored (``IdempotencyKey``) in the same transaction as the record it makes, with the
request's fingerprint, the answer's status and the record's id. The key is unique per user,
so of two requests with the same key at once, the second waits for the first's transaction
and is then answered with its record; on SQLite every write transaction takes the lock as it
begins, so they run one after the other anyway. A refused write (any answer other than 2xx)
stores nothing, so it can be corrected and sent again under the same key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Status
from pydantic import BeforeValidator

from stars.core.models import IdempotencyKey
from stars.domain.idempotency import (
    HEADER,
    KEY_KEPT,
    KEY_MAX_LENGTH,
    KEY_RULE,
    REPLAYED_HEADER,
    key_valid,
    minutes_ago,
    request_fingerprint,
)


def _key(value: Any) -> Any:
    if value is not None and not (isinstance(value, str) and key_valid(value)):
        raise ValueError(KEY_RULE)
    return value


KEY_DESCRIPTION = (
    "Makes the write safe to send again (after a timeout, with no answer seen): a new key "
    "(e.g. a UUID) for each write, the same key when sending that write again. The same key "
    f"and body within {int(KEY_KEPT.total_seconds() // 3600)} hours are answered as the first "
    f"time (the same status and body, with `{REPLAYED_HEADER}: true`) and nothing is made "
    "again; the same key with another body or path is refused with 422. A write refused is "
    "not remembered. Keys are your own: another user's are not seen."
)
IdempotencyKeyHeader = Header(
    None, alias=HEADER, description=KEY_DESCRIPTION, max_length=KEY_MAX_LENGTH
)
IdempotencyKeyValue = Annotated[str | None, BeforeValidator(_key)]

REPLAYED_RESPONSE_HEADER = {
    REPLAYED_HEADER: {
        "description": "`true` when this is the answer to an earlier request with the same "
        f"`{HEADER}`, given again (nothing was made this time)",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def idempotent(
    request: HttpRequest,
    response: HttpResponse,
    *,
    user: Any,
    key: str | None,
    object_type: str,
    create: Callable[[], Status[Any]],
    created_id: Callable[[Any], str],
    replay: Callable[[str, int], Status[Any]],
) -> Status[Any]:
    """``create()`` once per ``key`` of ``user``: its answer, or, for a key used before with
    the same request, ``replay(object_id, status)`` marked with the replayed header (a key
    used for another request: 422 naming it). ``created_id`` reads the id of the record
    made from a 2xx answer's value."""
    if key is None:
        return create()
    fingerprint = request_fingerprint(request.method or "", request.get_full_path(), request.body)
    now = timezone.now()
    IdempotencyKey.objects.filter(created_at__lt=now - KEY_KEPT).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    status=0,  # set below, in the same transaction: no one sees it unset
                    object_type=object_type,
                    object_id="",
                    created_at=now,
                )
        except IntegrityError:
            row = None  # used before (the first request's transaction has ended)
        if row is not None:
            answer = create()
            if not 200 <= answer.status_code < 300:
                transaction.set_rollback(True)  # nothing made: the key is not kept
                return answer
            row.status = answer.status_code
            row.object_id = created_id(answer.value)
            row.save(update_fields=["status", "object_id"])
            return answer
    first = IdempotencyKey.objects.get(user=user, key=key)
    if first.fingerprint != fingerprint:
        return Status(
            422,
            {
                "detail": f"This {HEADER} was used {minutes_ago(first.created_at, now)} for "
                f"another request (which made {first.object_type} {first.object_id}): "
                "nothing was done. Send a new key for a new write, or this request's first "
                "body to see its answer again",
                "field": HEADER,
            },
        )
    response[REPLAYED_HEADER] = "true"
    return replay(first.object_id, first.status)


@contextmanager
def one_at_a_time(user: Any) -> Iterator[None]:
    """A transaction in which ``user``'s writes run one after the other: the user's row is
    locked (``SELECT ... FOR UPDATE``) until it ends, so a check of what the user recorded
    (a write sent again, a child already recorded) and the write it allows cannot be
    overtaken by the same user's other request. SQLite takes its one write lock as every
    transaction begins (``transaction_mode="IMMEDIATE"``), which does the same. (``user``
    may be a signed-in browser's lazy user: its model is read from the settings.)"""
    with transaction.atomic():
        get_user_model()._base_manager.select_for_update().filter(pk=user.pk).first()
        yield
