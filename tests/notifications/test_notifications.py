"""Notifications: events tell the users concerned, in STARS and by email as each chooses;
emails go by a background job (the outbox locally, GOV.UK Notify in production), failures
are retried and shown to the administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from stars.cases.notices import notify_due
from stars.cases.tasks import notify_due_daily
from stars.cli.run import DAILY_JOBS
from stars.core.models import AccessLog
from stars.domain.notifications import MAX_ATTEMPTS, retry_after
from stars.finance.services import claim_dispute_line, claim_prepare, claim_submit
from stars.jobs.worker import enqueue_daily, run_worker
from stars.notifications import delivery
from stars.notifications.models import EmailStatus, Notification
from stars.notifications.services import choices_save, notify
from stars.notifications.tasks import send_email
from stars.partnership.models import Council
from stars.partnership.services import user_create
from stars.referrals import services
from stars.referrals.services import referral_allocate
from tests.conftest import PASSWORD
from tests.finance.conftest import TODAY

D = dt.date


def test_retry_after_worked_examples():
    assert [retry_after(n) for n in range(1, MAX_ATTEMPTS + 1)] == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=25),
        dt.timedelta(minutes=125),
        None,
    ]
    with pytest.raises(ValueError):
        retry_after(0)


@given(st.integers(1, 50))
def test_each_retry_waits_longer_and_none_is_tried_past_the_limit(n):
    delay, following = retry_after(n), retry_after(n + 1)
    assert (delay is None) == (n >= MAX_ATTEMPTS)
    if delay is not None and following is not None:
        assert following > delay


@pytest.fixture
def emails(users):
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.save()
    return users


def _claim(money_referrals, users):
    derby = Council.objects.get(code="derby")
    claim = claim_prepare(
        council=derby, month=D(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    return claim_submit(claim=claim, by=users["provider_manager"])


@pytest.mark.django_db(transaction=True)
def test_a_submitted_claim_tells_the_councils_commissioner_in_stars_and_by_the_outbox(
    client, emails, money_referrals, settings, tmp_path
):
    settings.STARS_OUTBOX = tmp_path / "outbox"
    settings.STARS_NOTIFY_API_KEY = ""
    Council.objects.get(code="nottingham")
    other = user_create(
        username="c-nott", role="commissioner", council="nottingham", password=PASSWORD
    )
    _claim(money_referrals, emails)
    told = Notification.objects.get(user=emails["commissioner"])
    assert told.event == "claim_submitted" and told.url == "/finance/claims/derby/2022-04/"
    assert told.title == (
        "Claim for Derby City Council, April 2022: submitted for your approval "
        "(CLAIM-DERBY-2022-04)"
    )
    assert not Notification.objects.filter(user=other).exists()
    assert told.email_status == EmailStatus.QUEUED
    run_worker(batch=True, interval=0, verbosity=0)
    told.refresh_from_db()
    assert told.email_status == EmailStatus.SENT and told.email_attempts == 1
    (mail,) = (tmp_path / "outbox").iterdir()
    text = mail.read_text()
    assert "To: commissioner@example.org" in text and "/finance/claims/derby/2022-04/" in text
    client.force_login(emails["commissioner"])
    home = client.get("/").content.decode()
    assert "1 unread" in home
    page = client.get(reverse("notifications")).content.decode()
    assert told.title in page and "Unread" in page
    logged = AccessLog.objects.get(username="commissioner", object_type="notification")
    assert logged.detail == told.title  # who saw which record's id: found by the Audit page
    client.post(reverse("notifications"))
    assert "unread" not in client.get("/").content.decode().split("Notifications", 1)[1][:60]


@pytest.mark.django_db
def test_a_dispute_tells_the_provider_managers_with_the_reason(emails, money_referrals):
    claim = _claim(money_referrals, emails)
    line = claim.lines.get(referral__referral_id="R-DER")
    claim_dispute_line(line=line, by=emails["commissioner"], reason="Placement ended in March")
    told = Notification.objects.get(user=emails["provider_manager"], event="claim_disputed")
    assert told.body == "Placement ended in March" and "line for R-DER disputed" in told.title


@pytest.mark.django_db
def test_each_user_chooses_what_they_are_told_and_how(client, emails):
    kw = emails["key_worker"]
    client.force_login(kw)
    response = client.post(
        reverse("notification_preferences"), {"in_app": ["case_allocated"], "email": []}
    )
    assert response.status_code == 302
    (n,) = notify("case_allocated", users=[kw], title="Case R-1 is allocated to you")
    assert n.in_app and n.email_status == EmailStatus.NOT_SENT  # no email wanted
    assert notify("case_overdue", users=[kw], title="x") == []  # neither wanted
    choices_save(user=kw, in_app=[], email=["case_overdue"])
    (n,) = notify("case_overdue", users=[kw], title="Case R-1: overdue")
    assert not n.in_app and n.email_status == EmailStatus.QUEUED
    assert "Case R-1: overdue" not in client.get(reverse("notifications")).content.decode()
    page = client.get(reverse("notification_preferences")).content.decode()
    assert 'value="case_overdue"' in page and "checked" in page


@pytest.mark.django_db
def test_a_failing_email_is_retried_then_given_up_and_shown_to_the_administrator(
    client, emails, monkeypatch
):
    class Broken:
        def send(self, notification):
            raise ConnectionError("Notify unreachable")

    monkeypatch.setattr("stars.notifications.tasks.sender", lambda: Broken())
    (n,) = notify("claim_approved", users=[emails["provider_manager"]], title="Claim approved")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        send_email.call(n.pk)
        n.refresh_from_db()
        assert n.email_attempts == attempt
    assert n.email_status == EmailStatus.FAILED
    assert n.email_error == "ConnectionError: Notify unreachable"
    client.force_login(emails["admin"])
    page = client.get(reverse("notification_failures")).content.decode()
    assert "Notify unreachable" in page and "provider_manager" in page
    client.post(reverse("notification_failures"), {"notification": n.pk})
    n.refresh_from_db()
    assert (n.email_status, n.email_attempts) == (EmailStatus.QUEUED, 0)
    client.force_login(emails["provider_manager"])
    assert client.get(reverse("notification_failures")).status_code == 403


@pytest.mark.django_db
def test_in_production_gov_uk_notify_sends_with_the_configured_template(emails, settings):
    settings.STARS_NOTIFY_TEMPLATE_ID = "template-all"
    settings.STARS_NOTIFY_TEMPLATES = {"claim_approved": "template-approved"}
    settings.STARS_BASE_URL = "https://stars.example.org"
    sent = []

    class Client:
        def send_email_notification(self, **kw):
            sent.append(kw)
            return {"id": "notify-1"}

    (n,) = notify("claim_approved", users=[emails["provider_manager"]], title="Approved", url="/x/")
    assert delivery.NotifySender("key", client=Client()).send(n) == "notify-1"
    assert sent == [
        {
            "email_address": "provider_manager@example.org",
            "template_id": "template-approved",
            "personalisation": {
                "subject": "Approved",
                "body": "",
                "link": "https://stars.example.org/x/",
            },
            "reference": f"stars-{n.pk}",
        }
    ]
    settings.STARS_NOTIFY_API_KEY = "stars-test-" + "0" * 36 + "-" + "0" * 36
    assert isinstance(delivery.sender(), delivery.NotifySender)


@pytest.mark.django_db
def test_allocation_and_acceptance_tell_the_people_concerned(users, referrals):
    kw2 = user_create(username="kw2", role="key_worker", council=None, password=PASSWORD)
    referral_allocate(referral=referrals["derby"], key_worker=kw2, by=users["provider_manager"])
    assert Notification.objects.get(user=kw2).title == "Case R-DER is allocated to you"
    assert "reallocated" in Notification.objects.get(user=users["key_worker"]).title
    e = services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="A",
        family_name="B",
        date_of_birth=D(2010, 6, 1),
        enquiry_date=D(2022, 6, 1),
    )
    services.enquiry_decide(enquiry=e, decision="progressed", on=D(2022, 6, 10))
    r = services.referral_accept(enquiry=e, on=D(2022, 6, 20))
    told = set(
        Notification.objects.filter(event="referral_accepted").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"spoc", "commissioner"}  # Derby's, not Nottingham's SPOC
    assert r.referral_id in Notification.objects.filter(event="referral_accepted").first().title


@pytest.mark.django_db
def test_notify_due_tells_of_stuck_enquiries_and_overdue_work_once(users, referrals):
    services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="A",
        family_name="B",
        date_of_birth=D(2010, 6, 1),
        enquiry_date=D(2023, 2, 1),
    )
    today = D(2024, 11, 26)
    first = notify_due(today)
    assert first["enquiry_stuck"] == 1 and first["case_overdue"] == 3  # R-DER: all three
    assert notify_due(today) == {"enquiry_stuck": 0, "case_overdue": 0}
    assert Notification.objects.filter(user=users["spoc"], event="enquiry_stuck").count() == 1
    assert not Notification.objects.filter(user=users["spoc_nottingham"]).exists()
    overdue = Notification.objects.filter(user=users["key_worker"], event="case_overdue")
    assert {n.url for n in overdue} == {"/cases/R-DER/"}


@pytest.mark.django_db(transaction=True)
def test_the_workers_run_notify_due_every_morning_without_telling_anyone_twice(users, referrals):
    """`stars worker` (and the worker `stars serve` runs) enqueues notify-due once a day, so
    stuck enquiries and overdue work are told without anyone running the command."""
    assert notify_due_daily in DAILY_JOBS
    morning = timezone.make_aware(dt.datetime(2024, 11, 26, 6, 30))
    assert enqueue_daily(DAILY_JOBS, morning) == [notify_due_daily.module_path]
    assert enqueue_daily(DAILY_JOBS, morning + dt.timedelta(hours=3)) == []  # another beat
    run_worker(batch=True, interval=0, verbosity=0)
    overdue = Notification.objects.filter(user=users["key_worker"], event="case_overdue")
    assert {n.url for n in overdue} == {"/cases/R-DER/"} and overdue.count() == 3
    enqueue_daily(DAILY_JOBS, morning + dt.timedelta(days=1))  # the next morning: nothing new
    run_worker(batch=True, interval=0, verbosity=0)
    assert Notification.objects.filter(event="case_overdue").count() == 3
