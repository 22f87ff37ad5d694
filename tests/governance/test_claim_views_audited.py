"""A claim shows a line per referral: each view of it (its page, its dispute form, its
documents) is one access-log entry naming the claim, with the referrals whose lines it showed
linked to it. A subject access response for a child names every view of a claim that showed
the child's lines (who, when, which claim); the access review counts the view as the one
claim it was, so a finance user's normal claim work (a claim of 200 lines) raises nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from stars.core.audit import reads
from stars.core.models import AccessLog, AccessLogRecord
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.governance.access_review import access_review
from stars.governance.subject_access import subject_access
from stars.partnership.models import Council
from stars.referrals.models import Child
from tests.conftest import make_referral
from tests.live_http import Http

CLAIM = reverse("claim_detail", args=["derby", "2022-06"])


def _claim(referrals) -> OutcomeClaim:
    """Derby's claim for June 2022, a line (or two) per referral in ``referrals``."""
    claim = OutcomeClaim.objects.create(
        council=Council.objects.get(code="derby"), month=dt.date(2022, 6, 1), status="submitted"
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(
            claim=claim,
            referral=r,
            kind="outcome",
            component="outcome",
            payable_weeks=4,
            rate=Decimal("100"),
            amount=Decimal("400") * times,
            rule="synthetic",
        )
        for r in referrals
        for times in ((1, 2) if r.referral_id == "R-DER" else (1,))
    )
    return claim


def _claim_views(data: dict) -> list[dict]:
    return [e for e in data["access_log"] if e["record"] == "claim derby/2022-06"]


def test_a_subject_access_response_names_each_view_of_a_claim_that_showed_the_child(
    client, users, referrals
):
    others = [make_referral(f"R-D{i:02}", "derby") for i in range(3)]
    _claim([referrals["derby"], *others])
    client.force_login(users["provider_manager"])
    assert client.get(CLAIM).status_code == 200
    assert client.get(CLAIM + "?format=csv").status_code == 200
    client.force_login(users["commissioner"])
    assert client.get(reverse("claim_dispute", args=["derby", "2022-06"])).status_code == 200

    data = subject_access(Child.objects.get(child_ref="C-R-DER"), by=users["admin"])
    views = _claim_views(data)
    assert [(e["who"], e["action"], e["detail"]) for e in views] == [
        ("provider_manager", "view", "html"),
        ("provider_manager", "export", "csv"),
        ("commissioner", "view", "dispute form"),
    ]
    assert all(e["showed"] == ["referral R-DER"] for e in views)  # never the other children
    assert all(e["at"] for e in views)
    # a child on no line of the claim: the views are not theirs
    assert _claim_views(subject_access(Child.objects.get(child_ref="C-R-NOT"), by=None)) == []
    # the audit page, narrowed to the referral, finds the views that showed it too
    assert reads(record="R-DER").filter(object_type="claim").count() == 3
    assert reads(record="R-NOT").filter(object_type="claim").count() == 0


def test_the_claim_page_links_the_lines_of_its_page_and_a_document_every_line(
    client, users, referrals
):
    many = [make_referral(f"R-D{i:03}", "derby") for i in range(60)]  # two pages of lines
    _claim(many)
    client.force_login(users["provider_manager"])
    client.get(CLAIM + "?page=2")
    client.get(CLAIM + "?format=xlsx")
    page, document = AccessLog.objects.filter(object_type="claim").order_by("pk")
    on_page_two = {f"R-D{i:03}" for i in range(50, 60)}
    assert set(page.records.values_list("object_id", flat=True)) == on_page_two
    assert document.records.count() == 60


def test_viewing_a_claim_of_200_lines_does_not_trip_the_access_review(client, users, referrals):
    two_hundred = [make_referral(f"R-D{i:03}", "derby") for i in range(200)]
    _claim(two_hundred)
    client.force_login(users["provider_manager"])
    for number in range(1, 5):
        client.get(f"{CLAIM}?page={number}")
    client.get(CLAIM + "?format=pdf")
    client.get(CLAIM + "?format=csv")
    assert AccessLogRecord.objects.filter(entry__username="provider_manager").count() == 600

    findings, _ = access_review(timezone.localdate().replace(day=1))
    assert [f for f in findings if f.username == "provider_manager"] == []
    last = Child.objects.get(child_ref="C-R-D199")
    assert len(_claim_views(subject_access(last, by=None))) == 3  # page 4 and both documents


def _zip_json(body: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        name = next(n for n in z.namelist() if n.endswith(".json"))
        return json.loads(z.read(name))


@pytest.mark.django_db(transaction=True)
def test_over_http_a_claim_viewed_is_in_the_subject_access_response(live_server, users, referrals):
    _claim([referrals["derby"]])
    finance = Http(live_server)
    finance.sign_in("provider_manager")
    status, _, page = finance.request("GET", CLAIM)
    assert status == 200 and b"R-DER" in page

    admin = Http(live_server)
    admin.sign_in("admin")
    path = reverse("governance_subject_access")
    token = admin.form_token(path)
    status, headers, body = admin.request(
        "POST",
        path,
        f"child_ref=C-R-DER&csrfmiddlewaretoken={token}",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200 and headers["Content-Type"] == "application/zip", body[:300]
    views = _claim_views(_zip_json(body))
    assert [(e["who"], e["action"], e["showed"]) for e in views] == [
        ("provider_manager", "view", ["referral R-DER"])
    ]


def test_the_dispute_form_is_logged_when_it_shows_the_lines_never_for_a_dispute_saved(
    client, users, referrals
):
    """The form's GET and a post sent back with its mistakes show the claim's lines: each is
    a view; a dispute saved goes on to the claim's page, which logs its own view."""
    line = _claim([referrals["derby"]]).lines.first()
    form = reverse("claim_dispute", args=["derby", "2022-06"])
    client.force_login(users["commissioner"])
    assert client.get(f"{form}?line={line.pk}").status_code == 200
    assert client.post(form, {"reason": "Ended early"}).status_code == 200  # no line chosen
    response = client.post(form, {"line": str(line.pk), "reason": "Ended early"})
    assert response.status_code == 302 and response["Location"] == CLAIM
    views = AccessLog.objects.filter(object_type="claim", object_id="derby/2022-06")
    assert [(v.action, v.detail, v.path) for v in views.order_by("pk")] == [
        ("view", "dispute form", f"{form}?line={line.pk}"),
        ("view", "dispute form", form),
    ]
    assert all(list(v.records.values_list("object_id", flat=True)) == ["R-DER"] for v in views)
