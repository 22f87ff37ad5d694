"""The audit page: reads and changes of every kind of record, narrowed to a person or record."""

from __future__ import annotations

import datetime as dt

from stars.core.audit import historied_models

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
    by_spoc = admin.get("/audit/", {"who": "spoc"}).content.decode()
    reads = by_spoc.split('data-testid="reads"')[1].split("</table>")[0]
    assert "R-DER" in reads and "admin" not in reads
    nothing = admin.get("/audit/", {"record": "R-NOBODY"}).content.decode()
    assert "Nothing recorded for this search" in nothing


def test_only_administrators_see_the_audit_page(client, users):
    for name in ("spoc", "commissioner", "provider_manager", "investor", "evaluator"):
        client.force_login(users[name])
        assert client.get("/audit/").status_code == 403
