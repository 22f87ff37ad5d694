"""The monthly access review from the access log, on the page."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from stars.core.models import AccessLog
from stars.governance.access_review import access_review

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _log(user, at, object_type, object_id):
    row = AccessLog.objects.create(
        user=user,
        username=user.username,
        action="view",
        object_type=object_type,
        object_id=object_id,
    )
    AccessLog.objects.filter(pk=row.pk).update(at=at)


def test_a_month_of_reads_gives_its_findings_on_the_page(client, users, referrals):
    office = dt.datetime(2024, 10, 8, 10, 0, tzinfo=LONDON)  # a Tuesday
    _log(users["spoc"], office, "referral", "R-DER")  # own council: nothing
    _log(users["spoc"], office, "referral", "R-NOT")  # Nottingham's: outside council
    _log(users["key_worker"], office, "case", "R-DER")  # own caseload
    _log(
        users["provider_manager"], dt.datetime(2024, 10, 9, 23, 30, tzinfo=LONDON), "case", "R-NOT"
    )
    _log(
        users["spoc"], dt.datetime(2024, 11, 2, 3, 0, tzinfo=LONDON), "referral", "R-NOT"
    )  # November
    findings, reads = access_review(dt.date(2024, 10, 1))
    assert reads == 4
    assert [(f.username, f.rule, f.examples) for f in findings] == [
        ("provider_manager", "odd_hours", ("Wed 09 Oct 23:30 case R-NOT",)),
        ("spoc", "outside_council", ("referral R-NOT",)),
    ]
    client.force_login(users["admin"])
    body = client.get(reverse("governance_access_review") + "?month=October+2024").content.decode()
    assert "2 findings" in body and "records of another council read" in body
    assert AccessLog.objects.filter(username="admin", object_type="access_review").exists()
    bad = client.get(reverse("governance_access_review") + "?month=Smarch").content.decode()
    assert "Enter a month like October 2024" in bad
    client.force_login(users["commissioner"])
    assert client.get(reverse("governance_access_review")).status_code == 403
