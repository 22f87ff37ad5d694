"""One id format per kind of record, and every form a user may type finds it
(stars.domain.references; docs/identifiers.md)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.references import (
    CLAIM,
    ENQUIRY,
    REFERRAL,
    UPLOAD,
    Reference,
    claim_reference,
    reference_parse,
    upload_reference,
)

OCT = dt.date(2024, 10, 1)


def test_worked_examples():
    assert claim_reference("derby", OCT) == "CLAIM-DERBY-2024-10"
    assert claim_reference("stoke-on-trent", OCT) == "CLAIM-STOKE-ON-TRENT-2024-10"
    assert upload_reference(17) == "UPLOAD-17"
    derby = Reference(CLAIM, "derby", OCT)
    for typed in (
        "CLAIM-DERBY-2024-10",
        "  claim-derby-2024-10 ",
        "Claim Derby 2024-10",
        "claim-derby-2024-10",  # the claim's downloads are named so
        "/finance/claims/derby/2024-10/",
        "https://stars.example.gov.uk/finance/claims/derby/2024-10/?format=pdf",
    ):
        assert reference_parse(typed) == derby, typed
    assert reference_parse("upload 17") == Reference(UPLOAD, "17")
    assert reference_parse("http://127.0.0.1:8000/uploads/returns/17/") == Reference(UPLOAD, "17")
    assert reference_parse("/cases/R000005/chronology/") == Reference(REFERRAL, "R000005")
    assert reference_parse("/referrals/R000005/") == Reference(REFERRAL, "R000005")
    assert reference_parse("/enquiries/E000010/papers/") == Reference(ENQUIRY, "E000010")


def test_names_tracker_ids_and_other_pages_are_not_references():
    for typed in ("Sam Elmsworth", "R000005", "CH-0001", "", "CLAIM-DERBY-2024-13", "UPLOAD-",
                  "/cases/caseload/", "/enquiries/waiting-list/", "/finance/money/"):  # fmt: skip
        assert reference_parse(typed) is None, typed


codes = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
months = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(lambda d: d.replace(day=1))


@given(codes, months, st.sampled_from([str.upper, str.lower, str.title]), st.text(" ", max_size=3))
def test_a_claim_reference_is_found_however_it_is_typed(code, month, case, pad):
    ref = claim_reference(code, month)
    assert reference_parse(pad + case(ref) + pad) == Reference(CLAIM, code, month)
    assert reference_parse(f"/finance/claims/{code}/{month:%Y-%m}/") == Reference(
        CLAIM, code, month
    )


@given(st.integers(1, 10**12), st.sampled_from([str.upper, str.lower]))
def test_an_upload_reference_is_found_however_it_is_typed(n, case):
    assert reference_parse(case(upload_reference(n))) == Reference(UPLOAD, str(n))


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", fullmatch=True))
def test_a_link_to_a_case_or_enquiry_gives_its_tracker_id(record_id):
    if record_id.lower() in {"caseload", "outcomes", "new", "waiting-list"}:
        return
    assert reference_parse(f"/cases/{record_id}/") == Reference(REFERRAL, record_id)
    assert reference_parse(f"/enquiries/{record_id}/") == Reference(ENQUIRY, record_id)
