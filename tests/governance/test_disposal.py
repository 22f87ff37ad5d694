"""Disposal: two administrators, personal data gone, the contract's figures unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rich.console import Console

from stars.cases.record import survey_record
from stars.core.models import AccessLog
from stars.domain.calendar import Quarter
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.governance.models import Disposal
from stars.governance.retention import review
from stars.governance.services import DisposalError, disposal_approve, disposal_request
from stars.referrals.models import Child, ChildProfile, Enquiry, Referral
from stars.sufficiency.models import SufficiencyReturn
from tests.conftest import CONTRACT, PASSWORD
from tests.governance.conftest import TODAY

FAR = dt.date(2070, 1, 1)  # every closed case, every claim, every file due by then


def _second_admin():
    from stars.partnership.services import user_create

    return user_create(username="admin2", role="admin", council=None, password=PASSWORD)


def test_a_disposal_needs_a_second_administrator(held, users):
    asked = disposal_request(kind="enquiry_not_progressed", by=users["admin"], today=TODAY)
    assert (asked.count, asked.keys) == (1, [[held["E-OLD"].pk, "E-OLD"]])
    with pytest.raises(DisposalError, match="second administrator"):
        disposal_approve(disposal=asked, by=users["admin"])
    with pytest.raises(DisposalError, match="Only an administrator"):
        disposal_approve(disposal=asked, by=users["provider_manager"])
    with pytest.raises(DisposalError, match="awaits approval"):
        disposal_request(kind="enquiry_not_progressed", by=users["admin"], today=TODAY)
    assert Child.objects.get(child_ref="C-E-OLD").given_name == "Ada"  # nothing done yet

    done = disposal_approve(disposal=asked, by=_second_admin())
    assert done.status == "carried_out" and done.approved_by.username == "admin2"
    e = Enquiry.objects.get(enquiry_id="E-OLD")
    assert (e.why_now, e.decision, e.decision_date) == ("", "withdrawn", dt.date(2021, 3, 1))
    child = e.child
    assert (child.given_name, child.family_name) == ("", "")
    assert child.child_ref == f"disposed-{child.pk}" and child.date_of_birth == dt.date(2012, 1, 1)
    assert not Child.history.filter(id=child.pk).exists()  # the old values went with it
    assert not Enquiry.history.filter(id=e.pk).exists()
    assert done.removed["names"] == 2 and done.removed["dates of birth"] == 1
    assert {k.rule.kind: k.count for k in review(TODAY)}["enquiry_not_progressed"] == 0
    with pytest.raises(DisposalError, match="No enquiry not progressed record is due"):
        disposal_request(kind="enquiry_not_progressed", by=users["admin"], today=TODAY)


def test_access_log_entries_are_deleted_and_a_child_still_referred_keeps_its_identity(held, users):
    admin2 = _second_admin()
    # E-OLD's child also has a live referral: the enquiry's text goes, the child stays known
    Referral.objects.filter(referral_id="R-DER").update(child=held["E-OLD"].child)
    d = disposal_request(kind="enquiry_not_progressed", by=users["admin"], today=TODAY)
    disposal_approve(disposal=d, by=admin2)
    assert Child.objects.get(pk=held["E-OLD"].child_id).child_ref == "C-E-OLD"
    d = disposal_request(kind="access_log", by=users["admin"], today=TODAY)
    old = d.count
    disposal_approve(disposal=d, by=admin2)
    assert old == 1 and d.removed == {"access-log entries": 1}
    assert not AccessLog.objects.filter(username="someone").exists()


def test_the_pages_ask_approve_and_show_the_certificate(client, held, users):
    client.force_login(users["admin"])
    response = client.post(reverse("governance_retention"), {"kind": "referral_and_case"})
    assert response.status_code == 302
    d = Disposal.objects.get()
    body = client.get(reverse("governance_disposals")).content.decode()
    assert "R-OLD" in body and f'data-testid="approve-{d.pk}"' not in body  # not the asker's
    client.force_login(_second_admin())
    response = client.post(reverse("governance_disposals"), {"disposal": d.pk, "action": "approve"})
    assert response.status_code == 302
    body = client.get(reverse("governance_disposals")).content.decode()
    assert "Approved and carried out by" in body and "admin2" in body
    certificate = client.get(reverse("governance_disposals") + f"?format=pdf&disposal={d.pk}")
    assert certificate["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(object_type="disposal", action="export").exists()
    closed = Referral.objects.get(referral_id="R-OLD")
    assert closed.child.given_name == "" and closed.status == "graduated"


def _figures() -> dict[str, object]:
    """The contract's figures: the evaluation report, every claim's total, the board card."""
    from stars.reports.card import card_context
    from stars.reports.services import evaluation_document

    claims = {
        str(c): sum((line.amount for line in ClaimLine.objects.filter(claim=c)), Decimal(0))
        for c in OutcomeClaim.objects.all()
    }
    card = card_context(scope=None, quarter=Quarter(2024, 2), suppressed=False)
    return {
        "evaluation": evaluation_document(fmt="json", as_of=dt.date(2024, 11, 30)),
        "claims": claims,
        "sections": repr(card["sections"]),
        "checks": repr(card["checks"]),
    }


def test_the_figures_are_the_same_before_and_after_disposal(transactional_db):
    from stars.demo.load import demo_load
    from stars.partnership.models import User

    demo_load(contract_path=CONTRACT, seed=2020, console=Console(quiet=True), n_referrals=60)
    admin = User.objects.filter(role="admin").first()
    admin2 = _second_admin()
    before = _figures()
    assert Child.objects.exclude(given_name="").exists()
    for kind in ("enquiry_not_progressed", "referral_and_case", "claim", "uploads"):
        d = disposal_request(kind=kind, by=admin, today=FAR)
        disposal_approve(disposal=d, by=admin2)
        assert d.count > 0, kind
    assert _figures() == before
    closed = Referral.objects.exclude(status="live")
    named = closed.exclude(child__given_name="")  # only children with a record still kept
    assert closed.count() > named.count()
    assert all(r.child.referrals.filter(status="live").exists() for r in named)
    assert not ChildProfile.objects.filter(enquiry__referrals__in=closed).exists()
    assert not SufficiencyReturn.objects.exists()


def _browser_upload(settings, tmp_path, *, at, status="done"):
    from stars.uploads.files import folder_of
    from stars.uploads.models import Upload

    settings.STARS_HOME = tmp_path
    upload = Upload.objects.create(
        kind="tracker",
        status=status,
        uploaded_by_name="admin",
        headline="Imported 1 enquiry",
        programme="dn2-stars",
    )
    Upload.objects.filter(pk=upload.pk).update(uploaded_at=at)
    upload.refresh_from_db()
    folder = folder_of(upload)
    folder.mkdir(parents=True)
    (folder / "enquiries.csv").write_text("enquiry_id,child_name\nE1,Ada Example\n")
    upload.files = [{"field": "enquiries", "name": "mine.csv", "stored": "enquiries.csv"}]
    upload.lines = ["mine.csv:2: column 2: Ada Example is not a date"]
    upload.problems = status == "rejected"
    upload.save()
    return upload, folder


def test_files_loaded_in_the_browser_are_due_and_disposed_of_with_their_problems(
    client, held, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    old, old_folder = _browser_upload(
        settings, tmp_path, at=dt.datetime(2025, 1, 5, tzinfo=dt.UTC), status="rejected"
    )
    new, new_folder = _browser_upload(settings, tmp_path, at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    running, _ = _browser_upload(
        settings, tmp_path, at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), status="running"
    )
    (kind,) = [k for k in review(TODAY) if k.rule.kind == "browser_uploads"]
    assert kind.count == 1  # loaded 2025-01-05 + 1 year; not June 2026's, not one still running
    assert kind.items[0].key == f"upload {old.pk} (tracker)"
    d = disposal_request(kind="browser_uploads", by=users["admin"], today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        disposal_approve(disposal=d, by=_second_admin())
    old.refresh_from_db()
    assert not old_folder.exists() and new_folder.exists()
    assert old.lines == [] and old.files == [
        {"field": "enquiries", "name": "mine.csv", "disposed": True}
    ]
    assert (old.uploaded_by_name, old.headline) == ("admin", "Imported 1 enquiry")  # who, when
    assert d.removed == {"documents (files loaded in the browser)": 1, "free-text values": 1}
    assert [k.count for k in review(TODAY) if k.rule.kind == "browser_uploads"] == [0]
    assert old.disposed and not new.disposed
    client.force_login(users["admin"])
    body = client.get(reverse("tracker_upload", args=[old.pk])).content.decode()
    assert 'data-testid="upload-disposed"' in body
    assert "Ada Example" not in body


def test_who_answered_a_closing_survey_goes_and_the_answers_stay(held, users):
    """A survey respondent's name or reference ("Carer 2", or a carer's name) is personal
    data: disposal clears it and keeps the answer the outcomes report counts."""
    closed = held["R-OLD"]
    survey_record(
        referral=closed,
        respondent="parent_carer",
        answered_by="Jo Example",
        on=dt.date(2024, 1, 8),
        answers={"staff": "most"},
    )
    d = disposal_request(kind="referral_and_case", by=users["admin"], today=TODAY)
    disposal_approve(disposal=d, by=_second_admin())
    survey = closed.surveys.get()
    assert (survey.answered_by, survey.answer) == ("", "most")
    assert not survey.history.filter(answered_by="Jo Example").exists()
