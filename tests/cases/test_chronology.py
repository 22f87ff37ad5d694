"""A case's chronology: everything on the case in one timeline, with who and when;
filterable, printable as a PDF, in the access log."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.cases import chronology as chronology_module
from stars.cases import record, services
from stars.cases.chronology import chronology
from stars.cases.models import MeasureEvent
from stars.core.models import AccessLog

D = dt.date


def _url(referral_id: str = "R-DER") -> str:
    return reverse("case_chronology", args=[referral_id])


def test_the_timeline_holds_every_kind_of_record_newest_first(case, instruments):
    record.phase_change(referral=case, phase="preparation", on=D(2022, 1, 10))
    record.team_member_add(referral=case, role="therapist", name="Therapist 4", on=D(2022, 1, 11))
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    record.meeting_record(
        referral=case,
        on=D(2022, 2, 20),
        attendees=["key_worker", "therapist"],
        notes="",
        actions=[("Book the course", "Key worker", D(2022, 3, 1))],
    )
    record.measure_record(referral=case, on=D(2022, 3, 5), kind="positive_activity", note="Judo")
    entries = chronology(case)
    titles = [e.title for e in entries]
    assert titles[:3] == ["Positive activity", "Action due: Book the course", "Progress meeting"]
    assert titles[-1] == "Referral R-DER accepted"
    assert {e.kind for e in entries} >= {"decision", "meeting", "event", "period", "team"}
    assert [e.on for e in entries] == sorted((e.on for e in entries), reverse=True)


def test_who_recorded_and_changed_what_comes_from_the_history(client, users, case):
    client.force_login(users["key_worker"])
    response = client.post(
        reverse("case_measure", args=["R-DER"]),
        {"date": "2022-04-02", "kind": "missing_episode", "note": "Back by 10pm"},
    )
    assert response.status_code == 302
    event = MeasureEvent.objects.get(referral=case)
    event.note = "Back by 11pm"
    event._history_user = users["provider_manager"]
    event.save()
    html = client.get(_url()).content.decode()
    assert "Missing episode" in html and "Recorded by key_worker" in html
    changes = [e for e in chronology(case) if e.kind == "change"]
    assert len(changes) == 1 and changes[0].detail == "note"
    assert changes[0].who == "provider_manager" and changes[0].title.endswith(": changed")


def test_the_timeline_filters_by_kind_and_dates(client, users, case):
    record.measure_record(referral=case, on=D(2022, 3, 5), kind="offence")
    record.measure_record(referral=case, on=D(2023, 3, 5), kind="caution")
    client.force_login(users["provider_manager"])
    html = client.get(_url(), {"kind": "event"}).content.decode()
    assert "Offence" in html and "Caution" in html and "Referral R-DER accepted" not in html
    html = client.get(_url(), {"kind": "event", "from": "2023-01-01"}).content.decode()
    assert "Caution" in html and "Offence" not in html
    html = client.get(_url(), {"kind": "nonsense", "to": "2022-12-31"}).content.decode()
    assert "Offence" in html and "Caution" not in html and "Referral R-DER accepted" in html


def test_the_chronology_is_scoped_logged_and_downloads_as_a_pdf(client, users, referrals):
    client.force_login(users["key_worker"])
    assert client.get(_url("R-NOT")).status_code == 404
    assert client.get(_url()).status_code == 200
    response = client.get(_url(), {"format": "pdf", "kind": "decision"})
    assert response["Content-Type"] == "application/pdf" and response.content[:4] == b"%PDF"
    logged = AccessLog.objects.filter(object_id="R-DER", detail="chronology")
    assert sorted(logged.values_list("action", flat=True)) == ["export", "view"]
    client.force_login(users["investor"])
    assert client.get(_url()).status_code == 403


def test_the_case_record_links_to_its_sections_and_chronology(client, users, case):
    client.force_login(users["provider_manager"])
    html = client.get(reverse("case_detail", args=["R-DER"])).content.decode()
    assert f'href="{_url()}"' in html
    for anchor in ("meetings", "periods", "attendance", "closure"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_a_second_visit_reads_the_timeline_once_worked_out(client, users, case, monkeypatch):
    record.meeting_record(
        referral=case,
        on=D(2022, 2, 20),
        attendees=["key_worker"],
        actions=[("Book the course", "Key worker", D(2022, 3, 1))],
    )
    client.force_login(users["key_worker"])
    first = client.get(_url())

    def refuse(referral):
        raise AssertionError("the timeline worked out again")

    monkeypatch.setattr(chronology_module, "chronology", refuse)
    again = client.get(_url())
    assert again.context["entries"] == first.context["entries"]
    assert AccessLog.objects.filter(object_id="R-DER", detail="chronology").count() == 2


def test_a_change_to_any_of_its_records_is_shown_at_once(client, users, case):
    client.force_login(users["key_worker"])
    assert "Judo" not in client.get(_url()).content.decode()
    event = record.measure_record(referral=case, on=D(2022, 3, 5), kind="positive_activity")
    assert "Positive activity" in client.get(_url()).content.decode()
    event.note = "Judo"
    event.save()
    assert "Judo" in client.get(_url()).content.decode()
    event.delete()
    html = client.get(_url()).content.decode()
    assert "Judo" not in html and "deleted" in html
    manager = users["provider_manager"]
    event = MeasureEvent.objects.create(referral=case, kind="offence", date=D(2022, 4, 1))
    event.note = "Shoplifting"
    event._history_user = manager
    event.save()
    assert "Recorded by provider_manager" in client.get(_url()).content.decode()
    manager.first_name, manager.last_name = "Pat", "Manager"  # who changed it, renamed
    manager.save()
    assert "Recorded by Pat Manager" in client.get(_url()).content.decode()


def test_a_referral_accepted_on_the_pages_shows_its_enquiry_s_changes(client, users, contract):
    """The enquiry's history leaves out whether it was accepted (``accepted``, kept for the
    lists): a change to the enquiry (its decision, its acceptance) is read from the fields
    its history holds, so the chronology of every referral accepted on the pages opens."""
    from stars.partnership.models import Council
    from stars.referrals import services as pipeline

    enquiry = pipeline.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="Sam",
        family_name="Synthetic",
        date_of_birth=D(2010, 6, 1),
        enquiry_date=D(2022, 6, 1),
    )
    pipeline.enquiry_decide(enquiry=enquiry, decision="progressed", on=D(2022, 6, 10))
    referral = pipeline.referral_accept(enquiry=enquiry, on=D(2022, 6, 20))
    client.force_login(users["provider_manager"])
    response = client.get(_url(referral.referral_id))
    assert response.status_code == 200
    changes = [e.detail for e in chronology(referral) if e.kind == "change"]
    assert any("decision" in d for d in changes) and not any("accepted" in d for d in changes)
