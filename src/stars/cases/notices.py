"""Notifications that time brings: an enquiry stuck, a meeting or measure overdue.

``stars notify-due`` runs :func:`notify_due` (daily, from a timer): each user is told of what
waits on them, within their own scope, in each programme they work in, once per stuck spell
or overdue date (a notification key), so running it again the same day tells nobody twice.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.cases.selectors import due_on_caseload
from stars.core.programmes import programme_use
from stars.core.roles import Role
from stars.domain.measures import OVERDUE
from stars.notifications.services import notify
from stars.partnership.selectors import programmes_all, users_with_role
from stars.referrals.selectors import worklist_council_side, worklist_provider_side


def notify_due(today: dt.date) -> dict[str, int]:
    """Tell SPOCs and provider managers of stuck enquiries waiting on them, and key workers
    of what is overdue on their caseload, in each programme of the service in turn; the
    number of notifications made, by event."""
    made = {"enquiry_stuck": 0, "case_overdue": 0}
    for choice in programmes_all():
        with programme_use(choice):
            for event, count in _notify_due_in_programme(today).items():
                made[event] += count
    return made


def _notify_due_in_programme(today: dt.date) -> dict[str, int]:
    made = {"enquiry_stuck": 0, "case_overdue": 0}
    sides = [(Role.SPOC, worklist_council_side), (Role.PROVIDER_MANAGER, worklist_provider_side)]
    for role, waiting in sides:
        for user in users_with_role(role):
            for item in waiting(user, today):
                if not item.stuck:
                    continue
                e = item.enquiry
                made["enquiry_stuck"] += len(
                    notify(
                        "enquiry_stuck",
                        users=[user],
                        title=f"Enquiry {e.enquiry_id} is stuck: {item.step.step}",
                        body=f"{e.council.name}, {item.waited} since the enquiry",
                        url=reverse("enquiry_detail", args=[e.enquiry_id]),
                        key=f"stuck:{e.enquiry_id}:{e.last_activity or e.enquiry_date}",
                        about=e.child,
                    )
                )
    for user in users_with_role(Role.KEY_WORKER):
        for item in due_on_caseload(user, today):
            if item.state != OVERDUE:
                continue
            rid = item.referral.referral_id
            made["case_overdue"] += len(
                notify(
                    "case_overdue",
                    users=[user],
                    title=f"Case {rid}: {item.due.what.lower()} overdue since "
                    f"{item.due.due.day} {item.due.due:%B %Y}",
                    body=item.due.rule,
                    url=reverse("case_detail", args=[rid]),
                    key=f"overdue:{rid}:{item.due.what}:{item.due.due}",
                    about=item.referral.child,
                )
            )
    return made
