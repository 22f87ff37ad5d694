"""Disposal: a request by one administrator, approval (and disposal) by a second.

Disposal removes the personal data and keeps what the contract's figures need as anonymous
rows, so the evaluation report, the claims and the board card give the same figures before
and after (tests/governance/test_disposal.py):

- an enquiry not progressed, a referral and its case: free text (reasons, notes, meeting
  notes and actions, the closure's narrative, why now), the social worker's and team's
  names, the team's names, the consent call's "spoke to", the carers' household references,
  the needs and papers lists are cleared; the child's profile and the council's link to
  its own child identifier are deleted. Ids, dates, cohorts, decisions, statuses, closure
  reasons, outcome periods, scores and attendance stay: the figures are made of them. When
  none of the child's records is kept any longer, the child is anonymised: names removed,
  the child reference replaced by ``disposed-N``, the date of birth cut to 1 January of its
  year.
- a claim: the dispute reasons (free text) are cleared; amounts, weeks and rules stay.
- an access-log entry and an uploaded file (an SSDA903 return): deleted.
- a file loaded in the browser (``stars.uploads``): its stored files are deleted and the
  problems listed about them cleared; who loaded it, when, and what became of it stay.

The change history of every record touched is deleted with it (it holds the old values),
and the updates themselves write none: the disposal is its own record, the certificate.
Neither shows in the history tables the data version is read from, so a disposal moves that
version on itself (``stars.core.cache.data_version_bump``, in its transaction): no figure
cached before it (with the names and notes it removed) is served after it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from stars.core.cache import data_version_bump
from stars.core.errors import RuleError
from stars.core.models import AccessLog
from stars.core.permissions import allowed, programme_options
from stars.core.programmes import ProgrammeChoice, programme_active, programme_use
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.governance import retention
from stars.governance.models import Disposal, DisposalStatus, DisposedRecord
from stars.governance.records import CASE_PARTS
from stars.partnership.models import Programme
from stars.referrals.models import (
    Child,
    ChildProfile,
    ConsentCall,
    Enquiry,
    MatchAttempt,
    Referral,
)
from stars.sufficiency.models import ChildLink, SufficiencyReturn
from stars.uploads.files import folder_of
from stars.uploads.models import Upload


class DisposalError(RuleError):
    """A disposal refused: by whom, or of what."""


def disposal_request(*, kind: str, by: Any, today: dt.date) -> Disposal:
    """Ask for every record of ``kind`` due on ``today`` to be disposed of: the records of the
    programme worked in (``stars.core.programmes``), which the certificate names."""
    _check_admin(by)
    choice = programme_active()
    _check_member(by, choice.code if choice else "")
    rule = retention.schedule()[kind]
    programme = Programme.objects.filter(pk=choice.id).first() if choice else None
    waiting = Disposal.objects.filter(
        kind=kind, programme=programme, status=DisposalStatus.REQUESTED
    )
    if waiting.exists():
        raise DisposalError(None, f"A disposal of {rule.label.lower()} records awaits approval")
    rows = list(retention.due(rule, today, retention.programme_end()))
    if not rows:
        raise DisposalError(None, f"No {rule.label.lower()} record is due")
    keys = [
        [row.pk, retention.item_name(kind, row)[0] if kind != "access_log" else ""] for row in rows
    ]
    disposal = Disposal(
        kind=kind,
        programme=programme,
        programme_name=programme.name if programme else "",
        as_of=today,
        rule=f"kept {rule.period} from {rule.trigger_label}"
        + (" (an assumption, not yet confirmed)" if rule.assumption else ""),
        keys=keys,
        count=len(keys),
        requested_by=by,
    )
    disposal._history_user = by  # type: ignore[attr-defined]  # the command line has no request
    disposal.save()
    return disposal


def disposal_withdraw(*, disposal: Disposal, by: Any) -> Disposal:
    _check_admin(by)
    _check_member(by, disposal.programme.code if disposal.programme else "")
    if disposal.status != DisposalStatus.REQUESTED:
        raise DisposalError(None, "Only a request awaiting approval can be withdrawn")
    disposal.status = DisposalStatus.WITHDRAWN
    disposal._history_user = by  # type: ignore[attr-defined]
    disposal.save()
    return disposal


def disposal_approve(*, disposal: Disposal, by: Any) -> Disposal:
    """A second administrator of the same programme approves: the records are disposed of,
    all or nothing, inside that programme (no other programme's record can be touched)."""
    _check_admin(by)
    _check_member(by, disposal.programme.code if disposal.programme else "")
    if disposal.status != DisposalStatus.REQUESTED:
        raise DisposalError(None, "This disposal is not awaiting approval")
    if disposal.requested_by_id == by.pk:
        raise DisposalError(
            None, "A second administrator must approve: you asked for this disposal"
        )
    pks = [pk for pk, _ in disposal.keys]
    with transaction.atomic(), programme_use(_programme_of(disposal)):
        removed = DISPOSERS[disposal.kind](pks, disposal)
        data_version_bump()
        disposal.status = DisposalStatus.CARRIED_OUT
        disposal.approved_by = by
        disposal.approved_at = timezone.now()
        disposal.removed = dict(removed)
        disposal._history_user = by  # type: ignore[attr-defined]
        disposal.save()
    return disposal


def _programme_of(disposal: Disposal) -> ProgrammeChoice | None:
    return disposal.programme.choice() if disposal.programme else None


def _check_member(user: Any, programme: str) -> None:
    """An administrator acts only on a programme they belong to."""
    if not programme:
        return
    options = programme_options(user) or []
    if programme not in {o.code for o in options}:
        raise DisposalError(
            None,
            f"These are records of the programme {programme}: only an administrator "
            "of that programme may do this",
        )


def disposals_in_view() -> QuerySet[Disposal]:
    """The disposals of the programme worked in (every one when no programme is active)."""
    choice = programme_active()
    qs = Disposal.objects.select_related("requested_by", "approved_by", "programme")
    return qs if choice is None else qs.filter(programme_id=choice.id)


def _check_admin(user: Any) -> None:
    if not allowed(user, "records_dispose"):
        raise DisposalError(None, "Only an administrator may do this")


# -- how each kind is disposed of -----------------------------------------------------------


def _forget_history(model: type[Model], pks: list[int] | QuerySet[Any]) -> int:
    """Delete the change history of these records (it holds their old values)."""
    deleted, _ = model.history.model.objects.filter(id__in=list(pks)).delete()  # type: ignore[attr-defined]
    return deleted


def _clear(qs: QuerySet[Any], removed: Counter[str], **blank: Any) -> None:
    """Blank these fields on every row of ``qs`` (counting the values that held anything)."""
    for name, empty in blank.items():
        removed["free-text values"] += qs.exclude(**{name: empty}).count()
    qs.update(**blank)


def _mark(disposal: Disposal, kind: str, pks: list[int]) -> None:
    DisposedRecord.objects.bulk_create(
        [DisposedRecord(disposal=disposal, kind=kind, object_pk=pk) for pk in pks]
    )


def _enquiry_text(enquiry_pks: list[int], removed: Counter[str]) -> None:
    enquiries = Enquiry.objects.filter(pk__in=enquiry_pks)
    _clear(enquiries, removed, decision_reason="", social_worker="", team="", why_now="")
    _clear(enquiries, removed, needs=[], papers=[])
    calls = ConsentCall.objects.filter(enquiry__in=enquiry_pks)
    _clear(calls, removed, spoke_to="")
    matches = MatchAttempt.objects.filter(enquiry__in=enquiry_pks)
    _clear(matches, removed, household_ref="")
    profiles = list(
        ChildProfile.objects.filter(enquiry__in=enquiry_pks).values_list("pk", flat=True)
    )
    ChildProfile.objects.filter(pk__in=profiles).delete()
    removed["documents (child profiles)"] += len(profiles)
    removed["history rows"] += _forget_history(ChildProfile, profiles)
    for model, qs in ((Enquiry, enquiries), (ConsentCall, calls), (MatchAttempt, matches)):
        removed["history rows"] += _forget_history(model, qs.values_list("pk", flat=True))


def _children(child_pks: set[int], removed: Counter[str]) -> None:
    """Anonymise the children none of whose enquiries and referrals is kept any longer."""
    kept_enquiries = Enquiry.objects.exclude(
        pk__in=DisposedRecord.objects.filter(kind="enquiry_not_progressed").values("object_pk")
    ).exclude(
        referrals__in=DisposedRecord.objects.filter(kind="referral_and_case").values("object_pk")
    )
    kept_referrals = Referral.objects.exclude(
        pk__in=DisposedRecord.objects.filter(kind="referral_and_case").values("object_pk")
    )
    still = set(kept_enquiries.filter(child__in=child_pks).values_list("child_id", flat=True))
    still |= set(kept_referrals.filter(child__in=child_pks).values_list("child_id", flat=True))
    for child in Child.objects.filter(pk__in=child_pks - still):
        removed["names"] += bool(child.given_name) + bool(child.family_name)
        removed["dates of birth"] += 1
        removed["child references"] += 1
        Child.objects.filter(pk=child.pk).update(
            child_ref=f"disposed-{child.pk}",
            given_name="",
            family_name="",
            date_of_birth=dt.date(child.date_of_birth.year, 1, 1),
        )
        removed["history rows"] += _forget_history(Child, [child.pk])


def _dispose_enquiries(pks: list[int], disposal: Disposal) -> Counter[str]:
    removed: Counter[str] = Counter()
    _mark(disposal, "enquiry_not_progressed", pks)
    _enquiry_text(pks, removed)
    _children(set(Enquiry.objects.filter(pk__in=pks).values_list("child_id", flat=True)), removed)
    return removed


def _dispose_referrals(pks: list[int], disposal: Disposal) -> Counter[str]:
    removed: Counter[str] = Counter()
    _mark(disposal, "referral_and_case", pks)
    for part in CASE_PARTS:  # personal data cleared; the rows of figures stay
        qs = part.model.objects.filter(**{f"{part.via}__in": pks})  # type: ignore[attr-defined]
        if part.personal:
            _clear(qs, removed, **part.personal)
        removed["history rows"] += _forget_history(part.model, qs.values_list("pk", flat=True))
    links = list(ChildLink.objects.filter(referral__in=pks).values_list("pk", flat=True))
    ChildLink.objects.filter(pk__in=links).delete()
    removed["council child identifiers"] += len(links)
    removed["history rows"] += _forget_history(ChildLink, links)
    removed["history rows"] += _forget_history(Referral, pks)
    enquiries = list(
        Enquiry.objects.filter(referrals__in=pks).values_list("pk", flat=True).distinct()
    )
    _enquiry_text(enquiries, removed)
    _children(set(Referral.objects.filter(pk__in=pks).values_list("child_id", flat=True)), removed)
    return removed


def _dispose_claims(pks: list[int], disposal: Disposal) -> Counter[str]:
    removed: Counter[str] = Counter()
    _mark(disposal, "claim", pks)
    lines = ClaimLine.objects.filter(claim__in=pks)
    _clear(lines, removed, dispute_reason="")
    removed["history rows"] += _forget_history(ClaimLine, lines.values_list("pk", flat=True))
    removed["history rows"] += _forget_history(OutcomeClaim, pks)
    return removed


def _dispose_access_log(pks: list[int], disposal: Disposal) -> Counter[str]:
    _, deleted = AccessLog.objects.filter(pk__in=pks).delete()  # with the records they showed
    return Counter({"access-log entries": deleted.get(AccessLog._meta.label, 0)})


def _dispose_uploads(pks: list[int], disposal: Disposal) -> Counter[str]:
    _mark(disposal, "uploads", pks)
    deleted, _ = SufficiencyReturn.objects.filter(pk__in=pks).delete()
    removed = Counter({"documents (SSDA903 files)": deleted})
    removed["history rows"] += _forget_history(SufficiencyReturn, pks)
    return removed


def _dispose_browser_uploads(pks: list[int], disposal: Disposal) -> Counter[str]:
    """The stored files are deleted (once the disposal is committed) and the problems listed
    about them (which quote their rows) cleared; who loaded what, when, and the summary of
    what became of it stay."""
    _mark(disposal, "browser_uploads", pks)
    removed: Counter[str] = Counter()
    folders = []
    for upload in Upload.objects.filter(pk__in=pks):
        folders.append(folder_of(upload))
        removed["documents (files loaded in the browser)"] += len(upload.files)
        upload.files = [
            {k: v for k, v in f.items() if k != "stored"} | {"disposed": True} for f in upload.files
        ]
        if upload.problems:  # problems quote the files' rows; a summary only counts them
            removed["free-text values"] += len(upload.lines)
            upload.lines = []
        upload.save(update_fields=["files", "lines"])
    transaction.on_commit(lambda: [shutil.rmtree(f, ignore_errors=True) for f in folders])
    return removed


DISPOSERS = {
    "enquiry_not_progressed": _dispose_enquiries,
    "referral_and_case": _dispose_referrals,
    "claim": _dispose_claims,
    "access_log": _dispose_access_log,
    "uploads": _dispose_uploads,
    "browser_uploads": _dispose_browser_uploads,
}
