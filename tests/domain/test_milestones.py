"""The continuous_milestones design, caps per referral and outcome funds: worked examples of
docs/tracker-format.md ("Payment designs, outcome funds, caps and programmes") and
properties (Hypothesis). tests/domain/test_payment_seam.py holds the engine, explanation,
claims and reconciliation to the same figures; tests/reference holds the report to the
independent reference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.contract.terms import PAYMENT_DESIGNS, OutcomeFund, design_keys
from stars.domain.evaluation.report import evaluation_report
from stars.domain.outcomes.engine import money_by_group, outcome_payments_as_of, referral_figures
from stars.domain.outcomes.explanation import explain_referral
from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA
from tests.domain.rows import period_row, referral_row

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "contracts" / "examples" / "continuous-milestones.toml").read_text("utf-8")
TERMS = parse_contract(TEXT)  # SD: start £8,000 (0 weeks), 26 weeks £9,000, 52 weeks £15,800,
# capped at £30,000 a referral; ST: weekly £250 after 13 weeks, capped at £15,000
START = D(2020, 1, 6)


def referral(cohort: str = "SD", funding: str = "sib", end: dt.date | None = None) -> dict:
    return referral_row(
        "R1",
        child_ref="CH1",
        local_authority="northshire",
        cohort=cohort,
        funding=funding,
        referral_date=START,
        end_date=end,
        date_of_birth=D(2008, 1, 1),
    )


def periods(*spans: tuple[int, int | None]) -> list[dict]:
    """Periods as day offsets from START (end None: continuing)."""
    return [
        period_row(
            "R1",
            START + dt.timedelta(days=a),
            None if b is None else START + dt.timedelta(days=b),
        )
        for a, b in spans
    ]


def both(ref: dict, pers: list[dict], as_of: dt.date):
    """The explanation and the engine's figure for one referral (they must agree)."""
    why = explain_referral(TERMS, ref, pers, as_of)
    engine = outcome_payments_as_of(
        TERMS,
        pl.DataFrame([ref], schema=REFERRAL_SCHEMA),
        pl.DataFrame(pers, schema=PERIOD_SCHEMA),
        as_of,
    )["R1"]
    assert engine.outcome_payment == why.outcome_payment
    assert engine.guaranteed_fee == why.guaranteed_fee
    return why


def test_thirty_weeks_a_break_and_thirty_more_earn_no_graduation():
    """The issue's example: 30 weeks, a break, 30 weeks: the 26-week milestone once, no
    graduation (no run reaches 52 weeks), though 60 weeks were sustained."""
    why = both(referral(), periods((0, 210), (217, 427)), D(2022, 1, 1))
    assert why.sustained_weeks == 60
    assert why.payable_weeks == 0
    assert why.outcome_payment == Decimal("17000")  # start 8,000 + 26 weeks 9,000
    labels = {line.label: line.value for line in why.lines}
    assert labels["Milestone placement_start"] == "£8,000.00"
    assert labels["Milestone six_months"] == "£9,000.00"
    assert labels["Milestone graduation"] == "not earned"


def test_periods_that_touch_are_one_run_and_graduation_is_capped():
    """30 weeks, then a new period starting the day the last ended, 30 more: one run of 60
    weeks earns graduation; 8,000 + 9,000 + 15,800 = 32,800 is capped at 30,000."""
    why = both(referral(), periods((0, 210), (210, 420)), D(2022, 1, 1))
    assert why.outcome_payment == Decimal("30000")
    graduation = [p for p in why.outcome.payments if p.label == "graduation"]
    assert graduation[0].amount == Decimal("13000")  # what was left under the cap
    assert graduation[0].counted_from == START + dt.timedelta(days=364)


def test_a_milestone_counts_from_the_day_its_run_reaches_its_length():
    ref, pers = referral(), periods((0, None))
    assert both(ref, pers, START).outcome_payment == 0  # the as-of day is not counted
    assert both(ref, pers, START + dt.timedelta(days=1)).outcome_payment == 8000
    assert both(ref, pers, START + dt.timedelta(days=181)).outcome_payment == 8000
    assert both(ref, pers, START + dt.timedelta(days=182)).outcome_payment == 17000


def test_a_milestone_not_reached_by_the_first_run_is_earned_by_a_later_one():
    why = both(referral(), periods((0, 20), (30, 30 + 182)), D(2022, 1, 1))
    assert why.outcome_payment == Decimal("17000")
    assert [p.label for p in why.outcome.payments] == ["placement_start", "six_months"]


def test_a_guaranteed_referral_pays_the_fee_and_earns_milestones():
    why = both(referral(funding="guaranteed"), periods((0, 100)), D(2022, 1, 1))
    assert why.guaranteed_fee == Decimal("7800")  # 26 weeks × £300
    assert why.outcome_payment == Decimal("8000")


def test_the_window_clips_runs():
    """Support ended after 20 weeks: a run continuing after it counts only to the end."""
    why = both(referral(end=START + dt.timedelta(weeks=20)), periods((0, None)), D(2022, 1, 1))
    assert why.outcome_payment == Decimal("8000")


def test_a_weekly_cohort_is_capped_per_referral():
    """ST: £250 a week after 13 proving weeks, capped at £15,000 (60 payable weeks)."""
    why = both(referral("ST"), periods((0, None)), D(2022, 1, 1))
    assert why.payable_weeks == 103 - 13  # 103 whole weeks to the as-of date
    assert why.outcome_payment == Decimal("15000")
    assert "capped at £15,000.00" in why.payment_rule


def report_of(refs: list[dict], pers: list[dict], as_of: dt.date, terms=TERMS):
    return evaluation_report(
        terms,
        pl.DataFrame(schema=ENQUIRY_SCHEMA),
        pl.DataFrame(refs, schema=REFERRAL_SCHEMA),
        pl.DataFrame(pers, schema=PERIOD_SCHEMA),
        as_of,
    )


def test_the_report_counts_milestones_and_funds_pay_their_shares_up_to_their_caps():
    refs = []
    pers = []
    for i in range(8):  # eight referrals, each one unbroken run of 60 weeks: £30,000 each
        r = referral() | {"referral_id": f"R{i}", "child_ref": f"CH{i}"}
        refs.append(r)
        pers += [p | {"referral_id": f"R{i}"} for p in periods((0, 420))]
    report = report_of(refs, pers, D(2022, 1, 1))
    fin = report["finance"]
    sd = fin["by_cohort"]["SD"]
    assert sd["milestones"] == {"placement_start": 8, "six_months": 8, "graduation": 8}
    assert sd["payable_weeks"] == 0
    assert fin["outcome_payments"] == Decimal("240000")
    # 11% of 240,000 is 26,400 (under the 60,000 cap); 5% is 12,000
    assert fin["outcome_funds"] == {
        "Social Outcomes Fund": Decimal("26400.00"),
        "Regional Partnership Fund": Decimal("12000.00"),
    }
    assert fin["lcf_contribution"] == Decimal("38400")
    assert fin["council_cost"] == Decimal("240000") - Decimal("38400")
    assert "milestones" not in fin["by_cohort"]["ST"]  # a weekly cohort


def test_a_fund_stops_at_its_cap():
    fund = OutcomeFund("F", Decimal("0.25"), Decimal("1000"))
    assert fund.contribution(Decimal("3000")) == Decimal("750")
    assert fund.contribution(Decimal("4000")) == Decimal("1000")
    assert fund.contribution(Decimal("100000")) == Decimal("1000")


def test_lcf_share_alone_is_one_uncapped_life_chances_fund():
    dn2 = parse_contract((ROOT / "contracts" / "dn2-stars.toml").read_text("utf-8"))
    assert dn2.funds == (OutcomeFund("Life Chances Fund", Decimal("0.25"), None),)


def test_lcf_share_with_outcome_funds_is_an_error_naming_the_key():
    text = TEXT.replace(
        "shortfall_penalty_per_referral", "lcf_share = 0.2\nshortfall_penalty_per_referral"
    )
    with pytest.raises(ContractError, match=r"c\.toml:\d+: column 1: programme\.lcf_share: give"):
        parse_contract(text, "c.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("share = 0.05", "share = 1.05", r"outcome_fund\[1\]\.share: is a share from 0 to 1"),
        ("share = 0.05", "share = 0.95", r"outcome_fund: the funds' shares add up to 1.06"),
        ('name = "Regional Partnership Fund"', 'name = "Social Outcomes Fund"', "more than once"),
        ("continuous_weeks = 26", "continuous_weeks = -1", r"milestone\[1\]\.continuous_weeks"),
        ("payment = 9000.0", 'payment = "lots"', r"cohort\[0\]\.milestone\[1\]\.payment"),
        ("max_payment_per_referral = 30000.0", "max_payment_per_referral = -1", "negative"),
        ('outcome = "foster_placement"', 'outcome = "anything"', r"cohort\[0\]\.outcome"),
        ('code = "stepdown-example"', 'code = "step down"', r"programme\.code"),
    ],
)
def test_bad_keys_are_named(old, new, message):
    assert old in TEXT
    with pytest.raises(ContractError, match=message):
        parse_contract(TEXT.replace(old, new, 1), "c.toml")


def test_a_milestones_cohort_needs_milestones_and_a_weekly_cohort_takes_none():
    no_milestones = TEXT.split("  [[cohort.milestone]]")[0] + TEXT.split("payment = 15800.0")[1]
    with pytest.raises(ContractError, match=r"cohort\[0\]\.milestone: is missing"):
        parse_contract(no_milestones, "c.toml")
    weekly = TEXT.replace('payment_design = "continuous_milestones"\n', "").replace(
        'saving_kind = "cashable"',
        'saving_kind = "cashable"\nproving_weeks = 1\nweekly_outcome_payment = 1.0',
        1,
    )
    with pytest.raises(ContractError) as err:
        parse_contract(weekly, "c.toml")
    assert str(err.value) == (
        "c.toml:48: column 3: cohort[0].milestone: payment_design = 'weekly_after_proving' "
        "does not use milestone, so it would change nothing; remove it (that design uses "
        "proving_weeks, weekly_outcome_payment)"
    )


@pytest.mark.parametrize(
    ("key", "line"),
    [("proving_weeks = 13", 43), ("weekly_outcome_payment = 250.0", 43)],
)
def test_a_weekly_key_on_a_milestones_cohort_is_refused_at_its_line(key, line):
    """``proving_weeks`` on a cohort paid for milestones was taken and changed nothing: a
    council writing it would think it applied. It is refused where it is written, naming
    the key, the cohort's design and the keys that design uses."""
    text = TEXT.replace('saving_kind = "cashable"\n', f'saving_kind = "cashable"\n{key}\n', 1)
    name = key.split(" ")[0]
    with pytest.raises(ContractError) as err:
        parse_contract(text, "c.toml")
    assert str(err.value) == (
        f"c.toml:{line}: column 1: cohort[0].{name}: payment_design = 'continuous_milestones' "
        f"does not use {name}, so it would change nothing; remove it (that design uses "
        "milestone)"
    )
    # a contract stored before the rule stays readable, as it was
    assert parse_contract(text, "c.toml", stored=True).cohort("SD").milestones


# the example's cohorts by design: where a key is written into each, and its index
COHORT_OF = {
    "continuous_milestones": ('saving_kind = "cashable"\n', 0),
    "weekly_after_proving": ('saving_kind = "avoided"\n', 1),
}


@settings(max_examples=30, deadline=None)
@given(design=st.sampled_from(PAYMENT_DESIGNS), data=st.data())
def test_a_key_only_another_design_uses_is_refused_whatever_its_value(design, data):
    """For every design (DESIGN_TERMS, the table the simulator's what-if checks too), a key
    another design prices by and this one does not is refused, naming it and the design."""
    foreign = sorted(
        {k for d in PAYMENT_DESIGNS for k in design_keys(d)} - set(design_keys(design))
    )
    key = data.draw(st.sampled_from(foreign))
    value = data.draw(st.integers(0, 10_000))
    after, index = COHORT_OF[design]
    text = TEXT.replace(after, f"{after}{key} = {value}\n", 1)
    with pytest.raises(
        ContractError,
        match=rf"cohort\[{index}\]\.{key}: payment_design = '{design}' does not use {key}, ",
    ):
        parse_contract(text, "c.toml")


def test_the_programme_code_is_read():
    assert TERMS.code == "stepdown-example"
    assert [m.name for m in TERMS.cohort("SD").milestones] == [
        "placement_start",
        "six_months",
        "graduation",
    ]


# -- properties ----------------------------------------------------------------------------

spans = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 200)), min_size=0, max_size=5)


@settings(max_examples=60, deadline=None)
@given(gaps=spans, as_of_days=st.integers(0, 800))
def test_milestone_payments_follow_the_longest_run(gaps, as_of_days):
    """Each milestone is paid at most once, exactly when some unbroken run (touching periods
    joined) reached its length by the as-of date; the total never passes the cap."""
    pers, cursor = [], 0
    for gap, length in gaps:
        start = cursor + gap
        pers.append((start, start + length))
        cursor = start + length
    as_of = START + dt.timedelta(days=as_of_days)
    why = both(referral(), periods(*pers), as_of)
    # the longest run, by hand: touching spans joined, clipped to the window
    stop = min(as_of_days, 7 * TERMS.programme_weeks)
    longest = run = 0
    last_end = None
    for a, b in pers:
        a, b = a, min(b, stop)
        if b <= a:
            continue
        run = run + (b - a) if last_end == a else b - a
        longest, last_end = max(longest, run), b
    cohort = TERMS.cohort("SD")
    earned = [m for m in cohort.milestones if longest >= max(1, 7 * m.continuous_weeks)]
    assert [p.label for p in why.outcome.payments if p.label] == [
        m.name for m in earned if sum(x.payment for x in earned[: earned.index(m)]) < 30000
    ]
    full = sum((m.payment for m in earned), Decimal(0))
    assert why.outcome_payment == min(full, cohort.max_payment_per_referral)


@pytest.mark.parametrize("example", sorted((ROOT / "contracts" / "examples").glob("*.toml")))
def test_every_worked_example_contract_reads(example):
    """README, "Writing a contract": one worked example per payment design, each valid."""
    terms = parse_contract(example.read_text("utf-8"), str(example))
    assert terms.code and terms.funds


def test_there_is_a_worked_example_for_every_design():
    from stars.domain.contract.terms import PAYMENT_DESIGNS

    used = set()
    for example in (ROOT / "contracts" / "examples").glob("*.toml"):
        used |= {c.payment_design for c in parse_contract(example.read_text("utf-8")).cohorts}
    assert used == set(PAYMENT_DESIGNS)


def test_runs_are_told_in_dates_and_lengths_as_people_write_them():
    """A key worker read "Run 2020-01-06 to 2020-02-01: 3 weeks 5 days" and "15 weeks 1
    days": the run's last day was the day after it, in another form of date."""
    why = both(referral(), periods((0, 8), (10, 10 + 106)), D(2022, 1, 1))
    details = {label: (value, rule) for label, value, rule in why.outcome.details}
    assert details["Run from 6 January 2020 to 13 January 2020, both days counted"][0] == (
        "1 week 1 day"
    )
    assert details["Run from 16 January 2020 to 30 April 2020, both days counted"][0] == (
        "15 weeks 1 day"
    )
    assert details["Milestone six_months"] == (
        "not earned",
        "needs a run of 26 continuous weeks; the longest so far is 15 weeks 1 day",
    )


def test_a_councils_report_takes_its_part_of_a_capped_fund_not_the_whole_cap():
    """A council's report (its board card) applied a fund's programme cap to the council
    alone: with the fund capped for the programme, it said the fund met the council's full
    share, more than the money page's split of the capped total."""
    refs, pers = [], []
    for i in range(24):  # £30,000 each: northshire 16 (£480,000), southby 8 (£240,000)
        council = "northshire" if i < 16 else "southby"
        refs.append(referral() | {"referral_id": f"R{i}", "local_authority": council})
        pers += [p | {"referral_id": f"R{i}"} for p in periods((0, 420))]
    as_of = D(2022, 1, 1)
    programme = money_by_group(
        TERMS,
        referral_figures(
            TERMS,
            pl.DataFrame(refs, schema=REFERRAL_SCHEMA),
            pl.DataFrame(pers, schema=PERIOD_SCHEMA),
            as_of,
        ),
    )
    # the programme's: 11% of £720,000 is £79,200, capped at £60,000; 5% uncapped
    assert report_of(refs, pers, as_of)["finance"]["outcome_funds"] == {
        "Social Outcomes Fund": Decimal("60000"),
        "Regional Partnership Fund": Decimal("36000.00"),
    }
    southby = [r for r in refs if r["local_authority"] == "southby"]
    fin = evaluation_report(
        TERMS,
        pl.DataFrame(schema=ENQUIRY_SCHEMA),
        pl.DataFrame(southby, schema=REFERRAL_SCHEMA),
        pl.DataFrame(
            [p for p in pers if p["referral_id"] in {r["referral_id"] for r in southby}],
            schema=PERIOD_SCHEMA,
        ),
        as_of,
        programme=programme,
    )["finance"]
    # southby earned a third of the outcome payments: a third of the capped £60,000
    assert fin["outcome_funds"] == {
        "Social Outcomes Fund": Decimal("20000"),
        "Regional Partnership Fund": Decimal("12000.00"),
    }
    assert fin["council_cost"] == Decimal("240000") - Decimal("32000")
