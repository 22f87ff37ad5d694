"""How each kind of record is identified wherever a user sees or types it (docs/identifiers.md).

Enquiries, referrals and children keep the tracker's own ids (``enquiry_id``, ``referral_id``,
``child_ref``: docs/tracker-format.md); a case is its referral, so it has the referral's id.
A claim is one council's month: ``CLAIM-<COUNCIL>-<YYYY-MM>``; an upload is ``UPLOAD-<n>``.

:func:`reference_parse` reads any form a user may paste: the reference in any case and with
spaces around it, or a link to the record's page (whole address or path), so searching by
any of them finds the record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

CLAIM = "claim"
UPLOAD = "upload"
ENQUIRY = "enquiry"
REFERRAL = "referral"  # and its case

_CLAIM = re.compile(r"CLAIM[-_ ]+(?P<council>[A-Z0-9][A-Z0-9-]*?)[-_ ]+(?P<month>\d{4}-\d{2})")
_UPLOAD = re.compile(r"UPLOAD[-_ ]*(?P<n>\d{1,18})")
# a link to a record's page: /finance/claims/derby/2024-10/, /uploads/tracker/17/,
# /cases/R000005/chronology/, /referrals/R000005/, /enquiries/E000010/papers/
_CLAIM_PATH = re.compile(r"/finance/claims/(?P<council>[a-z0-9-]+)/(?P<month>\d{4}-\d{2})(/|$)")
_UPLOAD_PATH = re.compile(r"/uploads/(?:tracker|returns)/(?P<n>\d{1,18})(/|$)")
_RECORD_PATH = re.compile(r"/(?P<kind>cases|referrals|enquiries)/(?P<id>[^/?#\s]+)(/|$|\?|#)")
_NOT_IDS = {"caseload", "outcomes", "new", "waiting-list"}  # pages under those paths


# An id may hold "/" (docs/tracker-format.md), which one part of an address cannot: there it
# is written "~", a character no id holds, and read back (``/cases/TS~R023/`` is TS/R023).
ADDRESS_SLASH = "~"


def id_in_address(record_id: str) -> str:
    """An enquiry or referral id as one part of its page's address."""
    return record_id.replace("/", ADDRESS_SLASH)


def id_from_address(part: str) -> str:
    """The id one part of a record page's address names."""
    return part.replace(ADDRESS_SLASH, "/")


@dataclass(frozen=True)
class Reference:
    """What a typed reference names: a kind and its key (a claim: council code and month;
    an upload: its number; an enquiry or referral: its tracker id)."""

    kind: str
    key: str
    month: dt.date | None = None


def claim_reference(council_code: str, month: dt.date) -> str:
    """``CLAIM-DERBY-2024-10``: the council's code and the claim's month."""
    return f"CLAIM-{council_code.upper()}-{month:%Y-%m}"


def upload_reference(number: int) -> str:
    """``UPLOAD-17``: an upload (a tracker or SSDA903 returns) by its number."""
    return f"UPLOAD-{number}"


def _month(text: str) -> dt.date | None:
    year, month = int(text[:4]), int(text[5:7])
    return dt.date(year, month, 1) if 1 <= month <= 12 and year >= 1 else None


def reference_parse(text: str) -> Reference | None:
    """The record a typed claim or upload reference, or a link to a record's page, names;
    None for anything else (a name, a tracker id typed as it is: searched as text)."""
    raw = text.strip()
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", raw, flags=re.IGNORECASE)
    if path.startswith("/"):
        if m := _CLAIM_PATH.search(path.lower()):
            month = _month(m["month"])
            return Reference(CLAIM, m["council"], month) if month else None
        if m := _UPLOAD_PATH.search(path.lower()):
            return Reference(UPLOAD, str(int(m["n"])))
        if (m := _RECORD_PATH.search(path)) and m["id"].lower() not in _NOT_IDS:
            kind = ENQUIRY if m["kind"] == "enquiries" else REFERRAL
            return Reference(kind, id_from_address(m["id"]))
        return None
    upper = " ".join(raw.upper().split())
    if m := _CLAIM.fullmatch(upper):
        month = _month(m["month"])
        return Reference(CLAIM, m["council"].lower(), month) if month else None
    if m := _UPLOAD.fullmatch(upper):
        return Reference(UPLOAD, str(int(m["n"])))
    return None
