"""Writes of notifications: telling users, their choices, reading, sending again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from stars.core.permissions import scope_of
from stars.core.programmes import programme_active
from stars.core.roles import Role
from stars.notifications.events import EVENTS
from stars.notifications.models import EmailStatus, Notification, Preference
from stars.notifications.tasks import send_email
from stars.partnership.selectors import programme_codes


def choices_of(user: Any) -> dict[str, tuple[bool, bool]]:
    """(in the service, by email) for every event, as the user chose (both by default)."""
    chosen = {p.event: (p.in_app, p.email) for p in Preference.objects.filter(user=user)}
    return {event: chosen.get(event, (True, True)) for event in EVENTS}


def notify(
    event: str,
    *,
    users: Iterable[Any],
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
    about: Any = None,
) -> list[Notification]:
    """Tell each user (once per ``key``, if given) as each has chosen; an email is sent by
    a background job once the transaction commits. ``about``: the child the notification is
    about; while their processing is restricted only users who may see a restricted child's
    records (administrators) are told."""
    if event not in EVENTS:
        raise KeyError(f"no notification event {event!r}")
    made = []
    url, key = _in_programme(url), _in_programme(key, key=True)
    hidden = _restricted(about)
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        if hidden and not scope_of(user).sees_restricted:
            continue
        in_app, email = choices_of(user)[event]
        if not (in_app or email):
            continue
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        wants_email = email and bool(user.email)
        n = Notification.objects.create(
            user=user,
            event=event,
            title=title[:200],
            body=body,
            url=url[:300],
            key=key[:200],
            in_app=in_app,
            email_status=EmailStatus.QUEUED if wants_email else EmailStatus.NOT_SENT,
        )
        if wants_email:
            transaction.on_commit(lambda pk=n.pk: send_email.enqueue(pk))
        made.append(n)
    return made


def _in_programme(text: str, *, key: bool = False) -> str:
    """A notification's link (or key) made inside one of several programmes: the link
    names the programme (``?programme=CODE``), so a user of several lands in the right
    one, and the key is the programme's (an id is unique only within its programme)."""
    active = programme_active()
    if not text or active is None or not active.code or len(programme_codes()) < 2:
        return text
    if key:
        return f"{active.code}:{text}"
    return f"{text}{'&' if '?' in text else '?'}programme={active.code}"


def _restricted(child: Any) -> bool:
    """Whether the child's processing is restricted, as stored now (a record passed in may
    have been read before the restriction)."""
    if child is None:
        return False
    stored = type(child)._base_manager.filter(pk=child.pk).values_list("restricted", flat=True)
    return bool(stored.first())


def notifications_withdraw(*, urls: Iterable[str]) -> int:
    """Withdraw the notifications pointing at these pages from everyone who may not see a
    restricted child's records (a child's processing has just been restricted), as made in
    the programme worked in (and any made before links named it)."""
    pages = {*urls, *(_in_programme(u) for u in urls)}
    qs = Notification.objects.filter(url__in=pages).exclude(user__role=Role.ADMIN)
    deleted, _ = qs.delete()
    return deleted


@transaction.atomic
def choices_save(*, user: Any, in_app: Iterable[str], email: Iterable[str]) -> None:
    """Save a user's choices: the events wanted in the service, and those by email."""
    in_app, email = set(in_app), set(email)
    for event in EVENTS:
        Preference.objects.update_or_create(
            user=user, event=event, defaults={"in_app": event in in_app, "email": event in email}
        )


def mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def email_send_again(*, notification: Notification) -> Notification:
    """An administrator sends a failed email again (its attempts counted afresh)."""
    notification.email_status = EmailStatus.QUEUED
    notification.email_attempts = 0
    notification.save(update_fields=["email_status", "email_attempts"])
    transaction.on_commit(lambda: send_email.enqueue(notification.pk))
    return notification
