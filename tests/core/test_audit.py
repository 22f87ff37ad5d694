"""The audit page: reads and changes of every kind of record, narrowed to a person or record."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from stars.core.audit import historied_models, record_access
from stars.core.models import AccessLog

PASSWORD = "correct-horse-battery-staple"


def _client(client, user):
    client.force_login(user)
    return client


def test_every_record_that_keeps_history_is_on_the_audit_page(client, users, referrals):
    from stars.cases.models import OutcomePeriod

    names = {m.__name__ for m in historied_models()}
    assert {"Referral", "Enquiry", "Child", "OutcomePeriod", "OutcomeClaim"} <= names
    period = OutcomePeriod(referral=referrals["derby"], start_date=dt.date(2022, 1, 10))
    period._history_user = users["key_worker"]
    period.save()
    period.end_date = dt.date(2022, 6, 1)
    period._history_user = users["key_worker"]
    period.save()

    page = _client(client, users["admin"]).get("/audit/").content.decode()
    assert "outcome period" in page and "key_worker" in page
    assert "end_date" in page  # the fields a change touched are named


def test_the_audit_page_narrows_to_a_person_and_a_record(client, users, referrals):
    admin = _client(client, users["admin"])
    _client(client, users["spoc"]).get("/referrals/R-DER/")  # a read, audited
    admin = _client(client, users["admin"])
    by_spoc = admin.post("/audit/", {"who": "spoc"}).content.decode()
    reads = by_spoc.split('data-testid="reads"')[1].split("</table>")[0]
    assert "R-DER" in reads and "admin" not in reads
    nothing = admin.post("/audit/", {"record": "R-NOBODY"}).content.decode()
    assert "Nothing recorded for this search" in nothing


def test_only_administrators_see_the_audit_page(client, users):
    for name in ("spoc", "commissioner", "provider_manager", "investor", "evaluator"):
        client.force_login(users[name])
        assert client.get("/audit/").status_code == 403


def _reads(html: str) -> str:
    return html.split('data-testid="reads"')[1].split("</table>")[0]


def test_the_record_filter_is_posted_and_a_get_narrows_nothing(users, referrals):
    """What is typed into the filter (often a child's reference) is posted with its CSRF
    token, so it is in no address; a GET's query (an old link) narrows nothing. It was a
    GET form, which put the child's reference in the address, the browser's history, the
    server's log and the next page's referrer."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["spoc"])
    client.get("/referrals/R-DER/")  # a read, audited
    client.force_login(users["admin"])
    html = client.get("/audit/", {"record": "C-R-NOT"}).content.decode()
    assert 'method="post" action="/audit/"' in html
    assert "R-DER" in _reads(html)  # not narrowed
    assert client.post("/audit/", {"record": "R-DER"}).status_code == 403  # no token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    found = client.post("/audit/", {"record": "r-der", "csrfmiddlewaretoken": token})
    assert found.status_code == 200
    assert "R-DER" in _reads(found.content.decode())
    assert 'value="r-der"' in found.content.decode()  # kept in the box
    viewed = AccessLog.objects.filter(action="view", object_type="audit")
    assert set(viewed.values_list("path", flat=True)) == {"/audit/"}  # no query
    assert "record 'r-der'" in viewed.latest("pk").detail


def test_a_filter_posted_empty_says_what_to_enter(client, users):
    client.force_login(users["admin"])
    page = client.post("/audit/", {"who": " ", "record": ""})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error: Audit" in html and "govuk-error-summary" in html
    assert '<a href="#who">Enter a username or a record to narrow the audit to</a>' in html
    assert 'id="who-error"' in html


def test_the_filtered_results_are_paged_by_posts(client, users, referrals):
    """More than a page of reads of one record: the next page is posted with the filter,
    never a link carrying it in its address."""
    for _ in range(60):
        record_access(user=users["spoc"], action="view", object_type="referral", object_id="R-DER")
    for _ in range(5):
        record_access(user=users["spoc"], action="view", object_type="referral", object_id="R-NOT")
    client.force_login(users["admin"])
    first = client.post("/audit/", {"record": "R-DER"}).content.decode()
    assert "Page 1 of 2" in first and "?record=" not in first and "page=2" not in first
    pages = first.split('data-testid="pages-form"')[1].split("</form>")[0]
    assert '<input type="hidden" name="record" value="R-DER">' in pages
    assert 'name="page" value="2"' in pages
    second = client.post("/audit/", {"record": "R-DER", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second
    rows = _reads(second).count('<tr class="govuk-table__row">') - 1  # the header's row
    assert rows == 11 and "R-NOT" not in _reads(second)  # and the first post's own line
    whole = client.get("/audit/", {"page": "2"}).content.decode()  # unfiltered: links
    assert "Page 2 of 2" in whole and 'href="?page=1"' in whole
