"""Subject access: everything STARS holds about one child, for an administrator to answer a
subject access request, as JSON and as a PDF, in one download (a ZIP holding both).

Held about a child: the child's record; its enquiries with their consent calls, profiles and
match attempts; its referrals with every part of the case record and the claim lines paid
for them; the council's link to its own child identifier and the rows of the council's
SSDA903 files about that child (the documents); the change history of all of these; and
every access-log entry naming the child, an enquiry or a referral of theirs. Third parties
named in them are listed for redaction (``stars.domain.governance.subject_access``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from stars.cases.models import (
    CaseClosure,
    Intervention,
    MeasureEvent,
    MeetingAction,
    OutcomePeriod,
    ProgressMeeting,
    TeamMember,
    TeamRole,
)
from stars.core.audit import flush_pending
from stars.core.documents import pdf
from stars.core.models import AccessLog, AccessLogRecord
from stars.domain.governance.subject_access import ThirdParty, third_parties
from stars.domain.sufficiency.ssda903 import child_rows
from stars.finance.models import ClaimLine
from stars.governance.records import CASE_PARTS
from stars.referrals.models import (
    Child,
    ChildProfile,
    ConsentCall,
    Enquiry,
    MatchAttempt,
    Referral,
)
from stars.sufficiency.models import ChildLink, SufficiencyReturn


def _value(obj: Model, field: Any) -> Any:
    if field.is_relation:
        return str(getattr(obj, field.name)) if getattr(obj, field.attname) is not None else None
    v = getattr(obj, field.attname)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def fields_of(obj: Model) -> dict[str, Any]:
    """A record as plain data: every stored field, relations by their names."""
    return {f.name: _value(obj, f) for f in obj._meta.concrete_fields if f.name != "id"}


# (section title, the records of the child in it)
def _sections(child: Child) -> list[tuple[str, QuerySet[Any]]]:
    enquiries = Enquiry.objects.filter(child=child)
    referrals = Referral.objects.filter(child=child)
    return [
        ("Enquiries", enquiries),
        ("Consent calls", ConsentCall.objects.filter(enquiry__in=enquiries)),
        (
            "Profiles shared with fostering agencies",
            ChildProfile.objects.filter(enquiry__in=enquiries),
        ),
        ("Match attempts", MatchAttempt.objects.filter(enquiry__in=enquiries)),
        ("Referrals", referrals),
        *(
            (part.title, part.model.objects.filter(**{f"{part.via}__in": referrals}))  # type: ignore[attr-defined]
            for part in CASE_PARTS
        ),
        ("Claim lines", ClaimLine.objects.filter(referral__in=referrals)),
        ("Council's child identifier", ChildLink.objects.filter(referral__in=referrals)),
    ]


def _history(model: type[Model], pks: list[int]) -> list[dict[str, Any]]:
    rows = model.history.filter(id__in=pks).select_related("history_user")  # type: ignore[attr-defined]
    out = []
    for h in rows.order_by("history_date"):
        values = {
            f.name: _value(h, f)
            for f in model._meta.concrete_fields
            if f.name != "id" and hasattr(h, f.attname)
        }
        out.append(
            {
                "record": f"{model._meta.verbose_name} {h.instance}",
                "at": h.history_date.isoformat(),
                "by": h.history_user.username if h.history_user else "system",
                "change": {"+": "created", "~": "changed", "-": "deleted"}[h.history_type],
                "reason": h.history_change_reason or "",
                "values": values,
            }
        )
    return out


def _ssda903_rows(links: list[ChildLink]) -> list[dict[str, Any]]:
    """Rows of the council's SSDA903 files about the child (by the council's identifier),
    found as the import reads the files (a heading in lower case, a byte-order mark)."""
    found = []
    for link in links:
        council = link.referral.council
        for f in SufficiencyReturn.objects.filter(council=council).order_by(
            "collection_year", "kind"
        ):
            for number, row in child_rows(f.text, link.council_child_id):
                found.append(
                    {"file": f.file_name, "year": f.collection_year, "line": number, "row": row}
                )
    return found


TEXT_FIELDS = {  # free text that may name another person, by model
    Enquiry: ("decision_reason", "why_now"),
    ChildProfile: ("enjoys", "good_at", "what_helps", "hopes"),
    ConsentCall: ("spoke_to",),
    ProgressMeeting: ("notes",),
    MeetingAction: ("action",),
    Intervention: ("note",),
    MeasureEvent: ("note",),
    OutcomePeriod: ("note",),
    CaseClosure: ("narrative",),
    ClaimLine: ("dispute_reason",),
}


def _third_parties(child: Child, sections: list[tuple[str, list[Model]]]) -> list[ThirdParty]:
    named: list[tuple[str, str, str]] = []
    texts: list[tuple[str, str]] = []
    for _, rows in sections:
        for row in rows:
            where = f"{row._meta.verbose_name} {row}"
            if isinstance(row, TeamMember):
                named.append((row.name, TeamRole(row.role).label, f"{where}, name"))
            if isinstance(row, Enquiry) and row.social_worker:
                named.append((row.social_worker, "Social worker", f"{where}, social worker"))
            if isinstance(row, MeetingAction) and row.owner:
                named.append((row.owner, "Action owner", f"{where}, owner"))
            if isinstance(row, MatchAttempt) and row.household_ref:
                named.append((row.household_ref, "Carer household", f"{where}, household"))
            for name in TEXT_FIELDS.get(type(row), ()):
                texts.append((f"{where}, {name.replace('_', ' ')}", getattr(row, name)))
    others = [
        (ref, f"{given} {family}".strip())
        for ref, given, family in Child.objects.exclude(pk=child.pk)
        .exclude(given_name="", family_name="")
        .values_list("child_ref", "given_name", "family_name")
    ]
    own = [f"{child.given_name} {child.family_name}".strip(), child.given_name]
    return third_parties(named=named, free_text=texts, other_children=others, subject_names=own)


def access_log_about(child: Child) -> tuple[list[AccessLog], dict[int, list[str]]]:
    """The access-log entries naming the child, an enquiry or a referral of theirs, in their
    id or their address, or that showed one without naming it (a claim's page, dispute form
    or document showing lines of the child's referral, a reconciliation its findings: their
    ``AccessLogRecord`` rows), oldest first; with, for the latter, the child's records each
    showed (never another child's). Entries kept while an import held the write lock are
    written in first."""
    flush_pending()
    enquiry_ids = list(Enquiry.objects.filter(child=child).values_list("enquiry_id", flat=True))
    referral_ids = list(Referral.objects.filter(child=child).values_list("referral_id", flat=True))
    ids = [child.child_ref, *enquiry_ids, *referral_ids]
    named = reduce(lambda q, i: q | Q(path__contains=f"/{i}/"), ids, Q(object_id__in=ids))
    # ids are unique within a programme only: another programme's R000001 is another child
    programmes = ["", child.programme.code]
    shown = AccessLogRecord.objects.filter(
        Q(object_type="child", object_id=child.child_ref)
        | Q(object_type="enquiry", object_id__in=enquiry_ids)
        | Q(object_type="referral", object_id__in=referral_ids),
        entry__programme__in=programmes,
    )
    log = AccessLog.objects.filter(named | Q(pk__in=shown.values("entry_id")))
    showed: dict[int, list[str]] = defaultdict(list)
    for entry, kind, oid in shown.order_by("entry_id", "object_id").values_list(
        "entry_id", "object_type", "object_id"
    ):
        showed[entry].append(f"{kind} {oid}")
    return list(log.filter(programme__in=programmes).order_by("at", "pk")), showed


def subject_access(child: Child, *, by: Any) -> dict[str, Any]:
    """Everything held about ``child``, as plain data (the JSON of the response)."""
    sections = [(title, list(qs)) for title, qs in _sections(child)]
    history = _history(Child, [child.pk])
    for _, rows in sections:
        if rows:
            history += _history(type(rows[0]), [r.pk for r in rows])
    history.sort(key=lambda h: h["at"])
    log, showed = access_log_about(child)
    links = [r for title, rows in sections for r in rows if isinstance(r, ChildLink)]
    return {
        "subject": {"child_ref": child.child_ref, **fields_of(child)},
        "produced_at": timezone.now().isoformat(timespec="seconds"),
        "produced_by": getattr(by, "username", "system"),
        "records": {title: [fields_of(r) for r in rows] for title, rows in sections},
        "documents": {"SSDA903 rows": _ssda903_rows(links)},
        "history": history,
        "access_log": [
            {
                "at": e.at.isoformat(),
                "who": e.username,
                "action": e.action,
                "record": f"{e.object_type} {e.object_id}".strip(),
                "path": e.path,
                "detail": e.detail,
                "showed": showed.get(e.pk, []),
            }
            for e in log
        ],
        "third_parties": [
            {"name": t.name, "who": t.who, "where": t.where}
            for t in _third_parties(child, sections)
        ],
    }


def subject_access_zip(child: Child, *, by: Any) -> tuple[str, bytes]:
    """The response as one ZIP: the JSON and the PDF of the same content."""
    data = subject_access(child, by=by)
    name = f"subject-access-{child.child_ref}-{timezone.localdate():%Y-%m-%d}"
    html = render_to_string("governance/subject_access_doc.html", {"d": data})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}.json", json.dumps(data, indent=2, ensure_ascii=False))
        z.writestr(f"{name}.pdf", pdf(html))
    return name, buffer.getvalue()
