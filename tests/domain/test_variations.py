"""Contract variations (dated terms, ``[[variation]]``): worked examples on
contracts/examples/contract-variations.toml and the errors a bad variation gets.
tests/domain/test_payment_seam.py draws variations for every payment design and holds the
engine, explanation, claims and reconciliation to the same figures; tests/reference holds
the evaluation report to the independent reference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.evaluation.report import evaluation_report
from stars.domain.outcomes.engine import outcome_payments_as_of
from stars.domain.outcomes.explanation import explain_referral
from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA
from tests.domain.rows import referral_row

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "contracts" / "examples" / "contract-variations.toml").read_text("utf-8")
TERMS = parse_contract(TEXT)
# cohort E: £350 a week after 13 proving weeks, saving £900 a week; from 2022-04-01 £360.85
# and £927.90 (every cohort); from 2023-04-01 £369.87 (cohort E); guaranteed funding 26
# weeks × £300, × £310 for referrals from 2023-04-01


def referral(rid: str, start: dt.date, funding: str = "sib") -> dict:
    return referral_row(
        rid,
        child_ref=f"CH-{rid}",
        local_authority="westborough",
        cohort="E",
        funding=funding,
        referral_date=start,
    )


def figures(refs: list[dict], as_of: dt.date) -> tuple[dict, dict, dict]:
    periods = [{"referral_id": r["referral_id"], "start_date": r["referral_date"]} for r in refs]
    r_df = pl.DataFrame(refs, schema=REFERRAL_SCHEMA)
    p_df = pl.DataFrame([{**p, "end_date": None} for p in periods], schema=PERIOD_SCHEMA)
    engine = outcome_payments_as_of(TERMS, r_df, p_df, as_of)
    why = {
        r["referral_id"]: explain_referral(
            TERMS,
            r,
            [p | {"end_date": None} for p in periods if p["referral_id"] == r["referral_id"]],
            as_of,
        )
        for r in refs
    }
    report = evaluation_report(TERMS, pl.DataFrame(schema=ENQUIRY_SCHEMA), r_df, p_df, as_of)
    return engine, why, report["finance"]


def test_the_contract_keeps_its_log_of_variations_in_date_order():
    assert TERMS.variation_dates == (D(2022, 4, 1), D(2023, 4, 1))
    assert [(v.start, v.cohort, v.changes) for v in TERMS.variations] == [
        (
            D(2022, 4, 1),
            None,
            (
                ("weekly_outcome_payment", Decimal("360.85")),
                ("weekly_saving", Decimal("927.90")),
            ),
        ),
        (D(2023, 4, 1), "E", (("weekly_outcome_payment", Decimal("369.87")),)),
        (D(2023, 4, 1), None, (("guaranteed_funding weekly_fee", Decimal("310.0")),)),
    ]
    assert TERMS.terms_on("E", D(2022, 3, 31)).weekly_outcome_payment == Decimal("350.0")
    assert TERMS.terms_on("e", D(2022, 4, 1)).weekly_outcome_payment == Decimal("360.85")
    assert TERMS.terms_on("E", D(2023, 4, 1)).weekly_outcome_payment == Decimal("369.87")
    assert TERMS.cohort("E").weekly_outcome_payment == Decimal("350.0")  # as written


def test_each_week_is_paid_and_saves_at_the_terms_in_force_on_its_last_day():
    # from Monday 6 Dec 2021, continuously placed; as of 1 July 2022: 29 whole weeks (203
    # of 207 days). Weeks 1-13 prove; weeks 14-16 end 13, 20 and 27 March (£350); weeks
    # 17-29 end on or after 3 April (£360.85). Savings: 16 weeks × £900, 13 × £927.90.
    engine, why, finance = figures([referral("R1", D(2021, 12, 6))], D(2022, 7, 1))
    e, w = engine["R1"], why["R1"]
    assert (e.sustained_weeks, e.payable_weeks) == (29, 16)
    assert e.outcome_payment == w.outcome_payment == Decimal("5741.05")  # 1050 + 4691.05
    assert w.savings == Decimal("26462.70")  # 14,400 + 12,062.70
    assert finance["outcome_payments"] == Decimal("5741.05")
    assert finance["cost_avoidance"] == Decimal("26462.70")
    assert "3 weeks × £350.00 + 13 weeks × £360.85" in w.payment_rule
    assert ("Rate from 1 April 2023", "£369.87") in [(line.label, line.value) for line in w.lines]


def test_a_guaranteed_fee_is_priced_on_the_referral_date():
    refs = [
        referral("G1", D(2023, 3, 31), "guaranteed"),
        referral("G2", D(2023, 4, 1), "guaranteed"),
    ]
    engine, why, finance = figures(refs, D(2023, 5, 1))
    assert engine["G1"].guaranteed_fee == why["G1"].guaranteed_fee == Decimal("7800.0")
    assert engine["G2"].guaranteed_fee == why["G2"].guaranteed_fee == Decimal("8060.0")
    assert finance["guaranteed_funding_payments"] == Decimal("15860.0")


def test_a_contract_without_variations_means_what_it_meant():
    plain = parse_contract(
        (ROOT / "contracts" / "examples" / "weekly-after-proving.toml").read_text("utf-8")
    )
    assert plain.variations == () and plain.variation_dates == ()
    assert plain.terms_on("E", D(2030, 1, 1)) == plain.cohort("E")


def bad(variation: str) -> str:
    return TEXT + "\n[[variation]]\n" + variation


LAST = TEXT.count("\n") + 2  # the line of the added [[variation]]


@pytest.mark.parametrize(
    ("variation", "key", "message"),
    [
        (
            'from = 2022-05-01\nreason = "x"\ncohort = "Q"\nweekly_saving = 1.0',
            "variation[3].cohort",
            "the contract has no cohort 'Q' (cohorts: E)",
        ),
        (
            'from = 2021-03-31\nreason = "x"\nweekly_saving = 1.0',
            "variation[3].from",
            "2021-03-31 is before the programme's start 2021-04-01",
        ),
        (
            'from = 2023-04-01\nreason = "x"\ncohort = "E"\nweekly_outcome_payment = 1.0',
            "variation[3].from",
            "a variation from 2023-04-01 already changes weekly_outcome_payment for cohort E",
        ),
        (
            'from = 2022-04-01\nreason = "x"\ncohort = "E"\nweekly_saving = 1.0',
            "variation[3].from",
            "already changes weekly_saving",
        ),
        (
            'from = 2022-05-01\nreason = "x"\nweekly_price = 1.0',
            "variation[3].weekly_price",
            "is not a key of a variation",
        ),
        (
            'from = 2022-05-01\nreason = "x"',
            "variation[3].from",
            "changes no term",
        ),
        (
            'from = 2022-05-01\nreason = "x"\ncohort = "E"\nguaranteed_weekly_fee = 1.0',
            "variation[3].guaranteed_weekly_fee",
            "guaranteed funding is the same for every cohort",
        ),
        (
            'from = 2022-05-01\nreason = "x"\nmilestones = { start = 1.0 }',
            "variation[3].milestones.start",
            "any cohort has no milestone 'start'",
        ),
        (
            "from = 2022-05-01\nweekly_saving = 1.0",
            "variation[3].reason",
            "is missing",
        ),
        (
            'from = 2022-05-01\nreason = "x"\nweekly_saving = -1.0',
            "variation[3].weekly_saving",
            "must not be negative",
        ),
    ],
)
def test_a_bad_variation_is_named_with_its_key_and_line(variation, key, message):
    with pytest.raises(ContractError) as caught:
        parse_contract(bad(variation), "c.toml")
    err = caught.value
    assert err.key == key
    assert message in err.message
    # the line of the key, or of the [[variation]] that lacks it
    name = key.split(".")[1]
    lines = bad(variation).splitlines()
    written = [n for n in range(LAST, len(lines) + 1) if lines[n - 1].startswith(name)]
    assert err.line == (written[0] if written else LAST)
    assert str(err).startswith(f"c.toml:{err.line}: column {err.column}: {key}: ")
