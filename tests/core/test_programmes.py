"""Several programmes in one service: every record belongs to one, ids are unique within a
programme, and a user of one programme gets 404 for another's records (pages and API)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from django.db import IntegrityError, transaction
from django.urls import reverse

from stars.core.api import basic_header
from stars.core.permissions import Scope
from stars.core.programmes import programme_use
from tests.conftest import CONTRACT, PASSWORD, make_referral

OTHER = CONTRACT.read_text(encoding="utf-8").replace(
    'code = "dn2-stars"\nname = "STARS"', 'code = "other"\nname = "Other programme"'
)


@pytest.fixture
def two(users, referrals):
    """The DN2 programme (``stars``, with the users and referrals of the shared fixtures) and
    a second programme, ``other``, over the same councils, holding a referral R-DER too."""
    from stars.partnership.models import Programme
    from stars.partnership.services import contract_load, user_create

    contract_load(text=OTHER, source="other.toml")
    stars, other = Programme.objects.get(code="dn2-stars"), Programme.objects.get(code="other")
    with programme_use(other.choice()):
        theirs = make_referral("R-DER", "derby")
        only_theirs = make_referral("R-OTHER", "derby")
    both = user_create(
        username="manager_both",
        role="provider_manager",
        password=PASSWORD,
        programmes=["dn2-stars", "other"],
    )
    other_spoc = user_create(
        username="spoc_other", role="spoc", council="derby", password=PASSWORD, programmes=["other"]
    )
    investor_both = user_create(
        username="investor_both",
        role="investor",
        password=PASSWORD,
        programmes=["dn2-stars", "other"],
    )
    return {
        "investor_both": investor_both,
        "stars": stars,
        "other": other,
        "theirs": theirs,
        "only_theirs": only_theirs,
        "both": both,
        "other_spoc": other_spoc,
    }


def test_one_programme_holds_the_contract_its_councils_and_everyone(users, referrals):
    from stars.partnership.models import Programme

    (programme,) = Programme.objects.all()
    assert (programme.code, programme.name) == ("dn2-stars", "STARS")
    assert sorted(programme.local_authorities.values_list("code", flat=True)) == [
        "derby",
        "nottingham",
        "nottinghamshire",
    ]
    assert programme.contracts.get(active=True).name == "STARS"
    assert all(list(u.programmes.all()) == [programme] for u in users.values())
    assert {r.programme_id for r in referrals.values()} == {programme.pk}


def test_ids_are_unique_within_a_programme_not_across_programmes(two):
    from stars.referrals.models import Referral

    assert two["theirs"].referral_id == "R-DER" and two["theirs"].programme == two["other"]
    assert Referral.objects.filter(referral_id="R-DER").count() == 2  # no programme chosen
    with programme_use(two["other"].choice()), pytest.raises(IntegrityError), transaction.atomic():
        make_referral("R-OTHER", "derby")


def test_a_user_of_one_programme_gets_404_for_anothers_records(client, users, two):
    client.force_login(users["provider_manager"])
    assert client.get(reverse("referral_detail", args=["R-OTHER"])).status_code == 404
    assert client.get(reverse("referral_detail", args=["R-DER"])).status_code == 200
    # asking for a programme they do not belong to is 404 as well
    assert client.get(reverse("referral_list") + "?programme=other").status_code == 404
    listed = client.get(reverse("referral_list")).content.decode()
    assert "R-DER" in listed and "R-OTHER" not in listed
    # the same council, another programme: the other programme's SPOC sees only its records
    client.force_login(two["other_spoc"])
    assert client.get(reverse("referral_detail", args=["R-OTHER"])).status_code == 200
    assert client.get(reverse("referral_detail", args=["R-NOT"])).status_code == 404


def test_a_user_of_both_switches_and_stays_in_the_programme_chosen(client, two):
    client.force_login(two["both"])
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="programme-switcher"' in home and "Other programme" in home
    # first by name: "Other programme"
    assert client.get(reverse("referral_detail", args=["R-OTHER"])).status_code == 200
    assert client.get(reverse("home") + "?programme=DN2-STARS").status_code == 200
    assert client.get(reverse("referral_detail", args=["R-OTHER"])).status_code == 404
    assert client.get(reverse("referral_detail", args=["R-NOT"])).status_code == 200
    client.get(reverse("home") + "?programme=other")
    assert client.get(reverse("referral_detail", args=["R-OTHER"])).status_code == 200
    assert client.get(reverse("referral_detail", args=["R-NOT"])).status_code == 404


def test_users_of_one_programme_see_no_switcher(client, users, two):
    client.force_login(users["provider_manager"])
    assert 'data-testid="programme-switcher"' not in client.get(reverse("home")).content.decode()


def test_the_api_is_per_programme(client, users, two):
    mine = {"HTTP_AUTHORIZATION": basic_header("provider_manager", PASSWORD)}
    assert client.get("/api/referrals/R-OTHER", **mine).status_code == 404
    assert client.get("/api/referrals/R-OTHER?programme=other", **mine).status_code == 404
    ids = [r["referral_id"] for r in client.get("/api/referrals", **mine).json()]
    assert sorted(ids) == ["R-DER", "R-NOT"]
    both = {"HTTP_AUTHORIZATION": basic_header("manager_both", PASSWORD)}
    assert client.get("/api/referrals/R-OTHER?programme=other", **both).status_code == 200
    ids = [r["referral_id"] for r in client.get("/api/referrals?programme=other", **both).json()]
    assert sorted(ids) == ["R-DER", "R-OTHER"]
    assert client.get("/api/referrals/R-NOT?programme=dn2-stars", **both).status_code == 200
    assert client.get("/api/referrals/R-NOT", **both).status_code == 404  # first by name: other


def test_notify_due_tells_each_programmes_own_users_with_links_into_it(client, users, two):
    """The daily notify-due works through every programme of the service: what is stuck in
    one is told to that programme's users only (Derby's SPOC of the other programme hears
    nothing of it), under a link that opens it in that programme, and the same enquiry id
    in two programmes is two notifications."""
    from stars.cases.notices import notify_due
    from stars.domain.pipeline import PAPERS
    from stars.notifications.models import Notification
    from stars.partnership.models import Council
    from stars.referrals.services import enquiry_record

    derby = Council.objects.get(code="derby")
    for programme, name in ((two["stars"], "Stella"), (two["other"], "Otto")):
        with programme_use(programme.choice()):
            for papers in ([], list(PAPERS)):  # waiting on the council, then the provider
                enquiry_record(
                    council=derby,
                    cohort="B",
                    given_name=name,
                    family_name="Synthetic",
                    date_of_birth=dt.date(2010, 6, 1),
                    enquiry_date=dt.date(2023, 2, 1),
                    papers=papers,
                )
    assert notify_due(dt.date(2024, 11, 26))["enquiry_stuck"] == 5
    told = Notification.objects.filter(event="enquiry_stuck")
    by_user = {
        u: sorted(n.url for n in told if n.user.username == u) for u in ("spoc", "spoc_other")
    }
    assert by_user == {
        "spoc": ["/enquiries/ENQ-2023-00001/?programme=dn2-stars"],
        "spoc_other": ["/enquiries/ENQ-2023-00001/?programme=other"],
    }
    assert told.filter(user=users["provider_manager"]).count() == 1
    links = sorted(n.url for n in told.filter(user=two["both"]))
    assert links == [
        "/enquiries/ENQ-2023-00002/?programme=dn2-stars",
        "/enquiries/ENQ-2023-00002/?programme=other",
    ]
    client.force_login(two["both"])
    for link, name in zip(links, ("Stella", "Otto"), strict=True):
        page = client.get(link)
        assert page.status_code == 200 and name in page.content.decode()
    assert notify_due(dt.date(2024, 11, 26))["enquiry_stuck"] == 0  # told once


def test_commands_name_the_programme_only_when_there_are_several(two):
    from stars import cli

    def run(*args: str):
        return CliRunner().invoke(cli.app, list(args))

    got = run("report", "evaluation", "--as-of", "2024-11-30")
    assert got.exit_code == 2 and "Traceback" not in got.output
    assert got.stderr.splitlines() == [
        "error: the service holds several programmes: name one with --programme "
        "(one of: dn2-stars, other)"
    ]
    got = run("export", "indigo", "--programme", "nope", "--as-of", "2024-11-30")
    assert got.exit_code == 2
    assert "--programme 'nope': no such programme (one of: dn2-stars, other)" in got.stderr
    got = run("report", "evaluation", "--as-of", "2024-11-30", "--programme", "OTHER")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["referrals"]["total"] == 2
    assert run("explain", "R-OTHER", "--as-of", "2024-11-30", "--programme", "dn2-stars").exit_code
    got = run("explain", "R-OTHER", "--as-of", "2024-11-30", "--programme", "other")
    assert got.exit_code == 0, got.output


def test_an_investor_sees_the_programmes_they_fund_side_by_side_in_aggregate(client, users, two):
    from stars.finance.figures import investor_overview
    from stars.partnership.selectors import contract_current

    client.force_login(two["investor_both"])
    page = client.get(reverse("finance_portfolio") + "?as_of=2024-12-31")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["programme"].code for r in rows] == ["other", "dn2-stars"]
    for r in rows:
        with programme_use(r["programme"]):
            o = investor_overview(contract_current(), page.context["as_of"])
        assert (r["paid"], r["projected"], r["referrals_total"]) == (
            o["to_date"].paid,
            o["projected"].paid,
            o["referrals_total"],
        )
    assert page.context["paid"] == sum(r["paid"] for r in rows)
    body = page.content.decode()
    assert all(i not in body for i in ("R-DER", "R-NOT", "R-OTHER", "C-R-DER"))
    assert 'href="/finance/portfolio/"' in client.get(reverse("finance_investor")).content.decode()
    client.force_login(users["investor"])
    rows = client.get(reverse("finance_portfolio")).context["rows"]
    assert [r["programme"].code for r in rows] == ["dn2-stars"]
    assert (
        'href="/finance/portfolio/"' not in client.get(reverse("finance_investor")).content.decode()
    )


def test_a_tracker_upload_loads_only_the_programme_it_was_made_in(users, two, tmp_path):
    from stars.tracker.files import TrackerRejected, export_files, import_files
    from stars.uploads.models import Upload
    from stars.uploads.selectors import uploads_visible

    with programme_use(two["stars"].choice()):
        export_files(out_dir=tmp_path)
    files = {
        "contract": tmp_path / "contract.toml",
        "enquiries": tmp_path / "enquiries.csv",
        "referrals": tmp_path / "referrals.csv",
        "periods": tmp_path / "outcome_periods.csv",
    }
    with pytest.raises(TrackerRejected) as refused:
        import_files(**files, programme="other")
    assert "the contract is for the programme 'dn2-stars', not 'other'" in refused.value.headline
    summary, _ = import_files(**files, programme="dn2-stars")
    assert (summary.referrals.created, summary.referrals.unchanged) == (0, 2)
    for code in ("dn2-stars", "other"):
        Upload.objects.create(kind="tracker", programme=code, uploaded_by_name="someone")
    with programme_use(two["other"].choice()):
        seen = [u.programme for u in uploads_visible(users["provider_manager"], "tracker")]
    assert seen == ["other"]


DAY = dt.date(2024, 11, 30)


def _records(decisions: list[str]) -> None:
    """A period for each referral of the programme worked in, and an enquiry of its child
    per decision (decided on 3 June 2024 unless pending)."""
    from stars.cases.models import OutcomePeriod
    from stars.referrals.models import Enquiry, Referral

    for r in Referral.objects.all():
        OutcomePeriod.objects.create(referral=r, start_date=dt.date(2022, 2, 1))
        for i, decision in enumerate(decisions):
            Enquiry.objects.create(
                enquiry_id=f"E-{r.referral_id}-{i}",
                child=r.child,
                council=r.council,
                cohort="B",
                enquiry_date=dt.date(2024, 5, 1),
                decision=decision,
                decision_date=None if decision == "pending" else dt.date(2024, 6, 3),
            )


def _reads(scope: Scope | None = None) -> tuple[list[tuple[str, str, str, int, int]], set, set]:
    """The evaluation report's reads (enquiries counted by the database): the counts, and
    the referrals and the referrals of the periods read; the report is that of the rows."""
    from stars.domain.evaluation.report import evaluation_report
    from stars.partnership.selectors import contract_current
    from stars.tracker.selectors import report_frames, report_inputs

    counted, referrals, periods = report_inputs(scope, DAY)
    terms = contract_current()
    assert evaluation_report(terms, counted, referrals, periods, DAY) == evaluation_report(
        terms, *report_frames(scope), DAY
    )
    return (
        sorted(counted.rows),
        {str(i) for i in referrals["referral_id"]},
        {str(i) for i in periods["referral_id"]},
    )


def _ids() -> set[str]:
    from stars.referrals.models import Referral

    return {str(r.id) for r in Referral.objects.all()}


def test_the_evaluation_reports_reads_keep_to_the_programme_worked_in(two):
    """With several programmes, the report counts each one's enquiries and reads its
    periods (joined to their referrals in SQL): each programme's own records only."""
    for programme, decisions in ((two["stars"], ["progressed", "pending"]), (two["other"], [])):
        with programme_use(programme.choice()):
            _records(decisions)
    with programme_use(two["stars"].choice()):
        counted, referrals, periods = _reads()
        assert counted == [
            ("B", "derby", "pending", 0, 1),
            ("B", "derby", "progressed", 1, 1),
            ("B", "nottingham", "pending", 0, 1),
            ("B", "nottingham", "progressed", 1, 1),
        ]
        assert referrals == periods == _ids() and len(referrals) == 2
    with programme_use(two["other"].choice()):
        counted, referrals, periods = _reads()
        assert counted == []
        assert referrals == periods == _ids() and len(referrals) == 2


def test_with_one_programme_the_periods_read_keep_to_the_scopes_referrals(users, referrals):
    """With one programme the periods are read without joining each to its referral, then
    kept to the referrals read: a council's scope still gets its own periods only."""
    from stars.partnership.models import Programme

    assert Programme.objects.count() == 1
    with programme_use(Programme.objects.get().choice()):
        _records(["progressed", "pending"])
        derby = Scope(
            councils=frozenset({"derby"}), key_worker_id=None, child_level=False, identifiable=False
        )
        counted, derby_referrals, periods = _reads(derby)
        assert counted == [("B", "derby", "pending", 0, 1), ("B", "derby", "progressed", 1, 1)]
        assert derby_referrals == periods == {str(referrals["derby"].id)}
        assert _reads()[1] == _reads()[2] == _ids() and len(_ids()) == 2


def test_page_not_found_points_a_user_of_several_programmes_to_the_switcher(client, users, two):
    """A record of the other programme is 404 in this one: the page says it may be there,
    and how to look, to a user who works in both (and not to a user of one)."""
    client.force_login(two["both"])
    page = client.get(reverse("referral_detail", args=["R-OTHER"]) + "?programme=dn2-stars")
    assert page.status_code == 404
    html = page.content.decode()
    assert "or may be in another of your programmes: choose it under Programme" in html
    client.force_login(users["provider_manager"])
    page = client.get(reverse("referral_detail", args=["R-OTHER"]))
    assert page.status_code == 404 and "another of your programmes" not in page.content.decode()
