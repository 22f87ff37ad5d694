"""Correction (old value kept in history with the reason) and restriction (administrators
only, left out of exports, still counted in the figures)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.referrals.models import Child, Referral


def test_a_correction_keeps_the_old_value_in_history_with_the_reason(client, users, referrals):
    client.force_login(users["admin"])
    form = {
        "field": "child.date_of_birth",
        "record": "C-R-DER",
        "value": "2011-05-18",
        "reason": "Typed wrongly at enquiry",
    }
    response = client.post(reverse("governance_correct"), form)
    assert response.status_code == 302
    child = Child.objects.get(child_ref="C-R-DER")
    assert child.date_of_birth == dt.date(2011, 5, 18)
    latest, before = child.history.order_by("-history_date")[:2]
    assert latest.history_change_reason == "correction: Typed wrongly at enquiry"
    assert before.date_of_birth == dt.date(2011, 5, 17)  # the old value, kept
    audit = client.get(reverse("audit") + "?record=C-R-DER").content.decode()
    assert "correction: Typed wrongly at enquiry" in audit and "date_of_birth" in audit
    body = client.post(reverse("governance_correct"), {**form, "value": "31 2 2011"}).content
    assert b"Date of birth" in body and child.history.count() == 2  # refused, nothing saved
    body = client.post(reverse("governance_correct"), {**form, "record": "C-NOPE"}).content
    assert b"No child has the id C-NOPE" in body


def test_a_restricted_child_is_seen_by_administrators_only_and_left_out_of_exports(
    client, users, referrals, tmp_path
):
    from stars.finance.figures import evaluator_rows
    from stars.partnership.selectors import contract_current
    from stars.reports.services import evaluation_document
    from stars.tracker.files import export_files

    def extract():
        return evaluator_rows(contract_current(), None, dt.date(2024, 11, 30), recipient="ev")

    before = evaluation_document(fmt="json", as_of=dt.date(2024, 11, 30))
    assert len(extract()) == 2
    client.force_login(users["admin"])
    response = client.post(
        reverse("governance_restrict"),
        {"child_ref": "C-R-DER", "restricted": "yes", "reason": "The parent asked"},
    )
    assert response.status_code == 302
    child = Child.objects.get(child_ref="C-R-DER")
    assert child.restricted
    assert (
        child.history.latest("history_date").history_change_reason
        == "restriction: The parent asked"
    )
    url = reverse("referral_detail", kwargs={"referral_id": "R-DER"})
    assert client.get(url).status_code == 200  # administrators still see it
    for role in ("spoc", "provider_manager", "key_worker"):
        client.force_login(users[role])
        assert client.get(url).status_code == 404, role
        assert b"R-DER" not in client.get(reverse("referral_list")).content
    export_files(out_dir=tmp_path)
    assert "R-DER" not in (tmp_path / "referrals.csv").read_text()
    assert "R-NOT" in (tmp_path / "referrals.csv").read_text()
    assert len(extract()) == 1  # the evaluator's extract leaves it out too
    assert evaluation_document(fmt="json", as_of=dt.date(2024, 11, 30)) == before  # counted
    assert Referral.objects.filter(referral_id="R-DER").exists()


def test_a_long_reason_is_kept_in_full_for_a_correction_and_a_restriction(client, users, referrals):
    """The forms take reasons of up to 400 characters; the history's column held 100, which
    PostgreSQL refused (a server error), and other paths cut the reason short."""
    client.force_login(users["admin"])
    why = "The council's records show another date; " * 9  # 378 characters
    form = {
        "field": "child.date_of_birth",
        "record": "C-R-DER",
        "value": "2011-05-18",
        "reason": why,
    }
    assert client.post(reverse("governance_correct"), form).status_code == 302
    child = Child.objects.get(child_ref="C-R-DER")
    assert child.history.latest("history_date").history_change_reason == (
        "correction: " + why.strip()
    )
    restrict = {"child_ref": "C-R-DER", "restricted": "yes", "reason": why}
    assert client.post(reverse("governance_restrict"), restrict).status_code == 302
    child.refresh_from_db()
    assert child.history.latest("history_date").history_change_reason == (
        "restriction: " + why.strip()
    )


def test_every_history_keeps_a_change_reason_of_any_length():
    from django.apps import apps

    histories = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert len(histories) > 20
    for model in histories:
        field = model._meta.get_field("history_change_reason")
        assert field.get_internal_type() == "TextField", model.__name__
