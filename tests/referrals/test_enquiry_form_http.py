"""The enquiry form over real HTTP: a submit sent twice (a double-click, the back button)
records once and shows the first, and the children it names are logged as read."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from stars.core.models import AccessLog
from stars.referrals import services
from stars.referrals.models import Child, Enquiry
from tests.live_http import Http

ENQUIRY = {
    "council": "derby",
    "cohort": "D",
    "given_name": "Robin",
    "family_name": "Example",
    "date_of_birth": "2012-04-02",
    "enquiry_date": "2024-01-15",
}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def web(live_server, users):
    http = Http(live_server)
    http.sign_in("spoc")
    return http


def submit(web, token: str, **change):
    status, head, _ = web.request(
        "POST",
        reverse("enquiry_new"),
        urlencode({**ENQUIRY, **change, "csrfmiddlewaretoken": token}, doseq=True),
        FORM,
    )
    return status, head.get("Location", "")


def test_the_same_enquiry_submitted_again_is_not_recorded_and_the_first_is_shown(web):
    token = web.form_token(reverse("enquiry_new"))
    status, location = submit(web, token)
    assert status == 302, status
    first = Enquiry.objects.get()
    assert location == reverse("enquiry_detail", args=[first.enquiry_id])

    status, again = submit(web, token)
    assert status == 302 and again == location, (status, again)
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1
    status, _, page = web.request("GET", again)
    assert status == 200
    assert f"You recorded this enquiry less than a minute ago: {first.enquiry_id}" in page.decode()

    # not the same enquiry (another reason why now): asked which child it is, as before
    status, _ = submit(web, token, why_now="placement at risk")
    assert status == 200 and Enquiry.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the live server shares one connection between its threads on in-memory SQLite "
    "(where every write transaction takes the lock as it begins, so two cannot overlap)",
)
def test_a_double_click_records_once(web, monkeypatch):
    """The second submit waits for the first to be saved, then finds it."""
    record = services.enquiry_record

    def slow_record(**kwargs):
        enquiry = record(**kwargs)
        time.sleep(0.5)  # the other submit arrives while this one's transaction is open
        return enquiry

    monkeypatch.setattr(services, "enquiry_record", slow_record)
    token = web.form_token(reverse("enquiry_new"))
    start = threading.Barrier(2)
    answers = []

    def send():
        start.wait()
        answers.append(submit(web, token))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1, answers
    shown = reverse("enquiry_detail", args=[Enquiry.objects.get().enquiry_id])
    assert answers == [(302, shown), (302, shown)], answers


def test_the_children_alike_the_form_names_are_logged_as_read(web):
    token = web.form_token(reverse("enquiry_new"))
    submit(web, token)
    child = Child.objects.get()
    assert not AccessLog.objects.filter(object_type="child", object_id=child.child_ref).exists()
    status, _ = submit(web, token, enquiry_date="2024-02-05")  # another enquiry, same child
    assert status == 200 and Enquiry.objects.count() == 1
    assert AccessLog.objects.filter(
        username="spoc", object_type="child", object_id=child.child_ref
    ).exists()
