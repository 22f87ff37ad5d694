"""A key worker reads how a referral's weeks were counted in plain words and GOV.UK dates:
no interval notation such as "[2024-10-24, 2026-10-13)" and no "exclusive", on the case and
referral pages and from `stars explain`; the figures are the same as before."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from django.urls import reverse

from stars.cases import services
from stars.cases.explain import explanation_for, explanation_text
from stars.cli import app
from stars.domain.calendar import days_counted

D = dt.date
INTERVAL = re.compile(r"[\[(]\s*\d{4}-\d{2}-\d{2}\s*,\s*\d{4}-\d{2}-\d{2}\s*[\])]|\[[^\]]*\)")


def _plain(text: str) -> None:
    assert not INTERVAL.search(text), text
    assert "exclusive" not in text.lower(), text


def test_a_stretch_of_days_names_its_first_and_last_counted_day():
    assert days_counted(D(2024, 10, 24), D(2026, 10, 13)) == (
        "from 24 October 2024 to 12 October 2026, both days counted"
    )
    assert days_counted(D(2024, 10, 24), D(2024, 10, 25)) == "24 October 2024 only"
    assert days_counted(D(2024, 10, 24), D(2024, 10, 24)) == "no days"


@pytest.mark.parametrize(
    "as_of", [D(2021, 12, 1), D(2022, 1, 10), D(2022, 1, 11), D(2022, 3, 1), D(2030, 1, 1)]
)
def test_every_explanation_of_the_weeks_is_in_plain_words(case, as_of):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 2, 3))
    services.outcome_period_record(referral=case, start_date=D(2022, 2, 7))
    e = explanation_for(case, as_of)
    texts = [explanation_text(e), e.window_counted, e.window_rule]
    texts += [f"{line.label} {line.value} {line.rule}" for line in e.lines]
    texts += [f"{p.recorded} {p.counted} {p.rule}" for p in e.periods]
    for text in texts:
        _plain(text)


def test_the_window_and_periods_read_in_gov_uk_dates_with_the_same_figures(case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 2, 3))
    e = explanation_for(case, D(2022, 3, 1))
    assert (e.window_start, e.window_end) == (D(2022, 1, 10), D(2022, 3, 1))
    assert e.window_counted == "from 10 January 2022 to 28 February 2022, both days counted"
    assert e.window_rule == (
        "the window stops at the as-of date on 1 March 2022; that day is not counted"
    )
    (p,) = e.periods
    assert (p.days, p.weeks) == (24, 3)
    assert p.recorded == "from 10 January 2022, ended on 3 February 2022"
    assert p.rule == (
        "24 days inside the window, from 10 January 2022 to 2 February 2022, both days "
        "counted: 3 whole weeks (the last 3 days are not a whole week)"
    )


def test_the_case_and_referral_pages_explain_the_weeks_in_plain_words(client, users, case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 5, 1))
    client.force_login(users["key_worker"])
    for name in ("case_detail", "referral_detail"):
        html = client.get(reverse(name, args=["R-DER"])).content.decode()
        start = html.index("Weeks, payments and savings as of")
        shown = html[start : html.index("</dl>", start)]
        _plain(shown)
        assert "from 10 January 2022 to 30 April 2022, both days counted" in shown, name


def test_stars_explain_says_the_weeks_in_plain_words(case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 5, 1))
    done = CliRunner().invoke(app, ["explain", "R-DER", "--as-of", "2022-06-01"])
    assert done.exit_code == 0, done.output
    shown = " ".join(done.output.split())  # as wrapped to the terminal's width
    _plain(shown)
    assert "as of 1 June 2022 (live)" in shown
    assert "Window: from 10 January 2022 to 31 May 2022, both days counted" in shown
    assert "window, from 10 January 2022 to 30 April 2022, both days counted" in shown
