"""Disposal per programme: each programme's review lists its own records, an administrator of
one programme cannot approve (nor carry out) the disposal of another's, the certificate names
the programme; the same two steps on the command line, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.urls import reverse

from stars.cli import app
from stars.core.models import AccessLog
from stars.core.programmes import programme_use
from stars.governance.models import Disposal
from stars.governance.retention import review
from stars.governance.services import DisposalError, disposal_approve, disposal_request
from stars.governance.subject_access import subject_access
from stars.referrals.models import Child, Referral
from tests.conftest import CONTRACT, PASSWORD, make_referral
from tests.governance.conftest import TODAY

OTHER = CONTRACT.read_text(encoding="utf-8").replace(
    'code = "dn2-stars"\nname = "STARS"', 'code = "other"\nname = "Other programme"'
)


def _closed(referral_id: str) -> Referral:
    r = make_referral(referral_id, "derby", status="graduated", end=dt.date(2024, 1, 10))
    Child.objects.filter(pk=r.child_id).update(date_of_birth=dt.date(2000, 6, 1))
    return r


@pytest.fixture
def two(users, referrals):
    """Two programmes, each with a closed case due (R-OLD in STARS, R-OLD in the other) and
    two administrators of its own (STARS': ``admin`` and ``admin2``)."""
    from stars.partnership.models import Programme
    from stars.partnership.services import contract_load, user_create

    contract_load(text=OTHER, source="other.toml")
    stars, other = Programme.objects.get(code="dn2-stars"), Programme.objects.get(code="other")
    with programme_use(stars.choice()):
        _closed("R-OLD")
    with programme_use(other.choice()):
        _closed("R-OLD")
    made = {
        name: user_create(
            username=name, role="admin", council=None, password=PASSWORD, programmes=[code]
        )
        for name, code in (
            ("admin2", "dn2-stars"),
            ("other_admin", "other"),
            ("other_admin2", "other"),
        )
    }
    return {"stars": stars.choice(), "other": other.choice(), **made}


def _due(kind: str) -> int:
    return next(k.count for k in review(TODAY) if k.rule.kind == kind)


def test_each_programme_reviews_and_disposes_of_its_own_records_only(users, two):
    with programme_use(two["other"]):
        assert _due("referral_and_case") == 1
        theirs = disposal_request(kind="referral_and_case", by=two["other_admin"], today=TODAY)
    assert (theirs.programme.code, theirs.programme_name) == ("other", "Other programme")
    with programme_use(two["stars"]):
        assert _due("referral_and_case") == 1
        ours = disposal_request(kind="referral_and_case", by=users["admin"], today=TODAY)
        # STARS' administrators cannot approve the other programme's disposal
        with pytest.raises(DisposalError, match="only an administrator of that programme"):
            disposal_approve(disposal=theirs, by=two["admin2"])
    with pytest.raises(DisposalError, match="only an administrator of that programme"):
        disposal_approve(disposal=ours, by=two["other_admin"])
    # nor can theirs ask in STARS
    with programme_use(two["stars"]), pytest.raises(DisposalError, match="dn2-stars"):
        disposal_request(kind="claim", by=two["other_admin"], today=TODAY)

    with programme_use(two["stars"]):  # approved from inside the wrong programme: no matter
        disposal_approve(disposal=theirs, by=two["other_admin2"])
    with programme_use(two["other"]):
        assert Referral.objects.get(referral_id="R-OLD").child.given_name == ""
        assert _due("referral_and_case") == 0
    with programme_use(two["stars"]):
        assert Referral.objects.get(referral_id="R-OLD").child.given_name != ""  # untouched
        assert _due("referral_and_case") == 1


def test_the_pages_show_a_programmes_own_disposals_and_the_certificate_names_it(client, users, two):
    with programme_use(two["other"]):
        theirs = disposal_request(kind="referral_and_case", by=two["other_admin"], today=TODAY)
    client.force_login(two["admin2"])  # STARS' administrator: the other's is not there
    body = client.get(reverse("governance_disposals")).content.decode()
    assert f'id="disposal-{theirs.pk}"' not in body
    assert 'data-testid="programme">STARS<' in body
    body = client.get(reverse("governance_retention")).content.decode()
    assert 'data-testid="programme">STARS<' in body
    response = client.post(
        reverse("governance_disposals"), {"disposal": theirs.pk, "action": "approve"}
    )
    assert response.status_code == 404
    client.force_login(two["other_admin2"])
    client.post(reverse("governance_disposals"), {"disposal": theirs.pk, "action": "approve"})
    theirs.refresh_from_db()
    assert theirs.status == "carried_out"
    body = client.get(reverse("governance_disposals")).content.decode()
    assert f'data-testid="programme-{theirs.pk}">Other programme (other)<' in body
    assert theirs.history.first().history_user == two["other_admin2"]


def test_the_command_line_asks_and_a_second_administrator_approves(users, two):
    def run(*args: str):
        return CliRunner().invoke(app, ["retention", *args])

    got = run("dispose", "referral_and_case", "--by", "admin", "--as-of", "2026-11-26")
    assert got.exit_code == 2 and "name one with --programme" in got.stderr
    got = run("dispose", "photos", "--by", "admin", "--programme", "dn2-stars")
    assert got.exit_code == 2 and "photos: not a kind of record" in got.stderr
    got = run(
        "dispose", "referral_and_case", "--by", "admin", "--programme", "dn2-stars",
        "--as-of", "2026-11-26",
    )  # fmt: skip
    assert got.exit_code == 0, got.output
    d = Disposal.objects.get()
    assert "1 referral and case record" in got.stdout and d.programme.code == "dn2-stars"
    assert AccessLog.objects.filter(
        action="dispose_request", object_id=str(d.pk), username="admin"
    ).exists()

    got = run("approve", str(d.pk), "--by", "admin", "--programme", "dn2-stars")
    assert got.exit_code == 2 and "A second administrator must approve" in got.stderr
    got = run("approve", str(d.pk), "--by", "other_admin", "--programme", "other")
    assert got.exit_code == 2 and f"no disposal {d.pk} in this programme" in got.stderr
    got = run("approve", str(d.pk), "--by", "nobody", "--programme", "dn2-stars")
    assert got.exit_code == 2 and "--by nobody: no such user" in got.stderr
    got = run("approve", str(d.pk), "--by", "admin2", "--programme", "dn2-stars")
    assert got.exit_code == 0, got.output
    d.refresh_from_db()
    assert d.status == "carried_out" and d.approved_by == two["admin2"]
    assert "approved by admin2" in got.stdout and "removed:" in got.stdout
    assert AccessLog.objects.filter(action="dispose", object_id=str(d.pk)).exists()
    with programme_use(two["stars"]):
        assert Referral.objects.get(referral_id="R-OLD").child.given_name == ""
    got = run("disposals", "--programme", "dn2-stars")
    assert got.exit_code == 0 and f"Disposal {d.pk} of STARS (dn2-stars)" in got.stdout


def test_a_subject_access_response_holds_its_own_programme_s_reads_only(users, two):
    """Ids are unique within a programme only: the other programme's R-OLD is another child,
    whose reads must not be released to this one."""
    ours = AccessLog.objects.create(
        programme="dn2-stars",
        username="admin",
        action="view",
        object_type="referral",
        object_id="R-OLD",
        path="/referrals/R-OLD/",
    )
    for object_id, path in (("R-OLD", "/referrals/R-OLD/"), ("", "/cases/R-OLD/meeting/")):
        AccessLog.objects.create(
            programme="other",
            username="other_admin",
            action="view",
            object_type="referral",
            object_id=object_id,
            path=path,
        )
    with programme_use(two["stars"]):
        child = Child.objects.get(child_ref="C-R-OLD")
        held = subject_access(child, by=users["admin"])
    assert [(e["who"], e["path"]) for e in held["access_log"]] == [("admin", ours.path)]
