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
    # each user's reads on the audit page: a form posting the user, as the audit's filter is
    assert '<form method="post" action="/audit/">' in body and "?who=" not in body
    assert '<input type="hidden" name="who" value="spoc">' in body
    spoc = client.post(reverse("audit"), {"who": "spoc"}).content.decode()
    assert "R-NOT" in spoc.split('data-testid="reads"')[1] and "key_worker" not in spoc
    bad = client.get(reverse("governance_access_review") + "?month=Smarch").content.decode()
    assert "Enter a month like October 2024" in bad
    client.force_login(users["commissioner"])
    assert client.get(reverse("governance_access_review")).status_code == 403


def test_the_thresholds_come_from_the_configuration(client, users, referrals, settings, tmp_path):
    sample = settings.STARS_PRIVACY_CONFIG.read_text(encoding="utf-8")
    own = tmp_path / "privacy.toml"
    own.write_text(
        sample.replace('day_ends = "20:00"', 'day_ends = "23:00"')
        .replace("many_records = 150", "many_records = 2")
        .replace("assumption = true\n\n# How many", "assumption = false\n\n# How many")
    )
    settings.STARS_PRIVACY_CONFIG = own
    late = dt.datetime(2024, 10, 9, 22, 30, tzinfo=LONDON)  # a Wednesday, before 23:00
    _log(users["provider_manager"], late, "case", "R-NOT")
    _log(users["provider_manager"], late, "case", "R-DER")
    findings, _ = access_review(dt.date(2024, 10, 1))
    assert [(f.username, f.rule, f.count) for f in findings] == [
        ("provider_manager", "many_records", 2)  # 2 or more; 22:30 is no odd hour now
    ]
    client.force_login(users["admin"])
    body = client.get(reverse("governance_access_review") + "?month=October+2024").content.decode()
    assert "2 or more distinct children" in body and "from 23:00" in body
    assert 'data-testid="thresholds-assumption"' not in body  # confirmed
