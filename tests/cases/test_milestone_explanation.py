"""A referral of a cohort paid for milestones is explained by what its design pays for: the
milestones it reached, on which days, for how much; no "Proving weeks" nor "Payable weeks"
(rows that do not apply to it), on the referral and case pages and from `stars explain`. A
cohort paid by the week keeps its weekly rows."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from django.urls import reverse

from stars.cases import services
from stars.cases.explain import explanation_for
from stars.cli import app
from tests.conftest import load_milestone_contract

D = dt.date
WEEKLY_WORDS = ("Proving weeks", "Payable weeks", "proving period", "Weeks not paid")


def _milestones_reached(case) -> None:
    load_milestone_contract()
    # one unbroken run from 10 January 2022: placement_start on its first day, settled
    # (4 continuous weeks) on 6 February 2022
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))


def _shown(html: str) -> str:
    start = html.index("Weeks, payments and savings as of")
    return " ".join(html[start : html.index("</dl>", start)].split())


def test_the_pages_show_the_milestones_reached_and_no_weekly_rows(client, users, case):
    _milestones_reached(case)
    client.force_login(users["key_worker"])
    for name in ("referral_detail", "case_detail"):
        html = client.get(reverse(name, args=["R-DER"])).content.decode()
        shown = _shown(html)
        for words in WEEKLY_WORDS:
            assert words not in shown, (name, words)
        assert "Milestone placement_start</dt>" in shown, name
        assert "£1,000.00 — earned on 10 January 2022" in shown, name
        assert "Milestone settled</dt>" in shown, name
        assert "£2,500.00 — earned on 6 February 2022" in shown, name
        assert "<strong>£3,500.00</strong>" in shown, name
    weeks = html[html.index('data-testid="weeks-so-far"') :]
    weeks = weeks[: weeks.index("</p>")]
    assert "proving" not in weeks and "Payable weeks" not in weeks
    assert "milestones earned: placement_start, settled" in weeks


def test_stars_explain_shows_the_milestones_reached_and_no_weekly_lines(case):
    _milestones_reached(case)
    done = CliRunner().invoke(app, ["explain", "R-DER", "--as-of", "2022-03-01"])
    assert done.exit_code == 0, done.output
    shown = " ".join(done.output.split())
    for words in WEEKLY_WORDS:
        assert words not in shown, words
    assert "Milestone placement_start: £1,000.00 (earned on 10 January 2022" in shown
    assert "Milestone settled: £2,500.00 (earned on 6 February 2022" in shown
    assert "Outcome payment: £3,500.00 (milestones earned: placement_start, settled)" in shown


def test_the_explanation_lines_leave_out_weeks_that_do_not_apply(case):
    _milestones_reached(case)
    e = explanation_for(case, D(2022, 3, 1))
    labels = [line.label for line in e.lines]
    assert "Weeks not paid" not in labels and "Payable weeks" not in labels
    assert {"Milestone placement_start", "Milestone settled"} <= set(labels)
    assert e.weeks_to_proving_end == 0


def test_a_cohort_paid_by_the_week_keeps_its_weekly_rows(client, users, case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))
    client.force_login(users["key_worker"])
    shown = _shown(client.get(reverse("referral_detail", args=["R-DER"])).content.decode())
    assert "Proving weeks" in shown and "Payable weeks" in shown
    done = CliRunner().invoke(app, ["explain", "R-DER", "--as-of", "2022-06-01"])
    assert "Proving weeks: 13" in done.output
