"""The demo's second programme: a Birmingham-style step-down programme built to the 2017
slides' figures, beside DN2; its pages, claims, board card and INDIGO export work."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from stars.core.programmes import programme_use
from stars.demo.stepdown import AS_OF, generate_stepdown


def test_the_records_have_the_slides_figures():
    frames = generate_stepdown()
    assert frames.enquiries.height == 55  # referrals into the scheme
    assert frames.referrals.height == 26  # entrants
    status = dict(frames.referrals.group_by("status").len().iter_rows())
    assert status == {"graduated": 12, "closed_early": 9, "live": 5}
    waiting = frames.enquiries.filter(decision="waiting_list").height
    assert waiting == 12  # being matched
    # every placement started and ended by the slides' date
    assert frames.periods["start_date"].max() <= AS_OF
    assert frames.periods["end_date"].drop_nulls().max() < AS_OF


@pytest.fixture
def both(both_programmes):
    from stars.partnership.models import Programme

    return Programme.objects.get(code="stepdown")


def test_both_programmes_side_by_side_with_the_step_down_figures(client, both, tmp_path):
    from stars.finance.models import OutcomeClaim
    from stars.partnership.models import User
    from stars.reports.evaluation import programme_evaluation_json
    from stars.reports.indigo import write_indigo

    with programme_use(both.choice()):
        report = json.loads(programme_evaluation_json(as_of=AS_OF))
        claims = set(OutcomeClaim.objects.values_list("council__code", flat=True))
        written = write_indigo(out_dir=tmp_path, as_of=AS_OF)
    assert (report["enquiries"]["total"], report["referrals"]["total"]) == (55, 26)
    assert report["finance"]["by_cohort"]["SD"]["milestones"] == {
        "placement_start": 26,
        "graduation": 12,
    }
    funds = report["finance"]["outcome_funds"]
    assert funds == {"Social Outcomes Fund": report["finance"]["outcome_payments"] * 0.11}
    assert claims == {"birmingham"}
    assert [p.name for p in written] == ["project.json", "organisations.json"]
    project = json.loads((tmp_path / "project.json").read_text())
    assert "Step-down fostering" in json.dumps(project)

    client.force_login(User.objects.get(username="manager"))
    home = client.get(reverse("home") + "?programme=stepdown")
    assert home.status_code == 200 and 'data-testid="programme-switcher"' in home.content.decode()
    for url in (
        reverse("finance_claims"),
        reverse("claim_detail", args=["birmingham", "2017-09"]),
        reverse("finance_money") + "?as_of=2017-10-11",
        reverse("report_board") + "?quarter=Q2+2017-18",
        reverse("report_evaluation") + "?as_of=2017-10-11",
        reverse("referral_detail", args=["SD-R001"]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("referral_detail", args=["R000001"])).status_code == 404
    client.get(reverse("home") + "?programme=dn2-stars")
    assert client.get(reverse("referral_detail", args=["SD-R001"])).status_code == 404
    client.force_login(User.objects.get(username="commissioner-birmingham"))
    assert client.get(reverse("finance_claims")).status_code == 200
    assert client.get(reverse("referral_detail", args=["R000001"])).status_code == 404
    client.force_login(User.objects.get(username="investor"))
    rows = client.get(reverse("finance_portfolio")).context["rows"]
    assert sorted(r["programme"].code for r in rows) == ["dn2-stars", "stepdown"]
