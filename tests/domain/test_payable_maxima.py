"""Reports state what the contract pays: outcome payments earned, within each maximum outcome
payment (the contract's and a council's own), with what was earned above a maximum as a line
of its own, not payable, so that earned = payable + above the maximum to the penny."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import (
    ABOVE_MAXIMUM,
    evaluation_report,
    money_of_section,
    report_to_json,
)
from stars.domain.money import Money
from stars.domain.outcomes.claims import payable_by_group, payable_money
from tests.domain.test_evaluation import AS_OF, TEXT, _programme, _without_proving

ZERO = Decimal(0)
RATES = {"A": "228", "B": "304", "C": "0", "D": "486"}
# the published weeks priced as in test_evaluation: £4,511,092 of outcome payments earned
WEEKS = {"A": 1365, "B": 6973, "C": 1130, "D": 4280}


def _contract(maximum: str, derby: str | None = None, notts: str | None = None):
    text = _without_proving(TEXT, RATES).replace(
        "maximum_outcome_payment = 9120000.00", f"maximum_outcome_payment = {maximum}"
    )
    for code, cap in (("derby", derby), ("nottinghamshire", notts)):
        if cap is not None:
            block = f'code = "{code}"\n'
            at = text.index(block)
            end = text.index("minimum_referrals", at)
            line_end = text.index("\n", end)
            text = (
                text[: line_end + 1] + f"maximum_outcome_payment = {cap}\n" + text[line_end + 1 :]
            )
    return parse_contract(text, "maximum.toml")


def test_worked_example_a_council_maximum_then_the_contracts():
    contract = _contract("1000.00", derby="300.00")
    earned = {
        ("derby", "A"): Decimal("200.00"),
        ("derby", "B"): Decimal("400.00"),  # Derby earns £600; its own maximum is £300
        ("nottingham", "B"): Decimal("900.00"),
    }
    # Derby within its £300 (100 and 200), then £1,200 within the contract's £1,000, split
    # 100:200:900 to the penny (83.33, 166.67, 750.00)
    assert payable_by_group(contract, earned) == {
        ("derby", "A"): Decimal("83.33"),
        ("derby", "B"): Decimal("166.67"),
        ("nottingham", "B"): Decimal("750.00"),
    }
    capped = payable_money(contract, {k: Money(outcome_payments=v) for k, v in earned.items()})
    assert capped[("derby", "B")].above_maximum == Decimal("233.33")
    assert sum((m.above_maximum for m in capped.values()), ZERO) == Decimal("500.00")


def test_nothing_changes_under_the_maxima():
    contract = _contract("9120000.00")
    earned = {("derby", "A"): Decimal("1234.56"), ("nottingham", "D"): Decimal("7.89")}
    assert payable_by_group(contract, earned) == earned
    groups = {k: Money(outcome_payments=v) for k, v in earned.items()}
    assert payable_money(contract, groups) == groups


def test_the_evaluation_report_states_the_capped_figure_and_the_line_above_it():
    contract = _contract("4000000.00")
    e, r, p = _programme(WEEKS)
    fin = evaluation_report(contract, e, r, p, AS_OF)["finance"]
    assert fin["outcome_payments"] == Decimal(4_000_000)
    assert fin[ABOVE_MAXIMUM] == Decimal(511_092)  # 4,511,092 earned
    # savings are compared with what is payable; the funds pay their share of it
    assert fin["net_cash_saving"] == Decimal(3_657_500 - 4_000_000)
    assert fin["lcf_contribution"] == Decimal(1_000_000)
    la = fin["by_local_authority"]["nottinghamshire"]
    assert (la["outcome_payments"], la[ABOVE_MAXIMUM]) == (Decimal(4_000_000), Decimal(511_092))
    assert fin["by_local_authority"]["derby"][ABOVE_MAXIMUM] == ZERO
    cohorts = fin["by_cohort"]
    assert sum(c["outcome_payments"] for c in cohorts.values()) == Decimal(4_000_000)
    assert sum(c[ABOVE_MAXIMUM] for c in cohorts.values()) == Decimal(511_092)
    for c in cohorts.values():
        assert c["outcome_payments"] + c[ABOVE_MAXIMUM] >= c["outcome_payments"] >= 0
    assert money_of_section(fin).earned_outcome_payments == Decimal(4_511_092)
    plain = json.loads(report_to_json(evaluation_report(contract, e, r, p, AS_OF)))
    assert plain["finance"][ABOVE_MAXIMUM] == 511092.0


def test_a_councils_own_maximum_in_the_evaluation_report():
    contract = _contract("9120000.00", notts="4500000.00")
    e, r, p = _programme(WEEKS)
    fin = evaluation_report(contract, e, r, p, AS_OF)["finance"]
    assert (fin["outcome_payments"], fin[ABOVE_MAXIMUM]) == (
        Decimal(4_500_000),
        Decimal(11_092),
    )


def test_a_council_report_counts_every_council_against_the_contracts_maximum():
    contract = _contract("50000.00")
    e, r, p = _programme({"A": 100}, la="derby")  # Derby's records: £22,800 earned
    programme = {
        ("derby", "A"): Money(outcome_payments=Decimal(22_800)),
        ("nottinghamshire", "B"): Money(outcome_payments=Decimal(77_200)),
    }
    alone = evaluation_report(contract, e, r, p, AS_OF)["finance"]
    assert alone["outcome_payments"] == Decimal(22_800) and ABOVE_MAXIMUM not in alone
    # the programme earned £100,000 against £50,000: Derby's part pays half
    fin = evaluation_report(contract, e, r, p, AS_OF, programme=programme)["finance"]
    assert (fin["outcome_payments"], fin[ABOVE_MAXIMUM]) == (Decimal(11_400), Decimal(11_400))
    assert fin["by_local_authority"]["derby"][ABOVE_MAXIMUM] == Decimal(11_400)


def test_no_line_above_the_maximum_when_nothing_passes_it():
    e, r, p = _programme(WEEKS)
    fin = evaluation_report(_contract("9120000.00"), e, r, p, AS_OF)["finance"]
    assert ABOVE_MAXIMUM not in fin and ABOVE_MAXIMUM not in fin["by_local_authority"]["derby"]
    assert fin["outcome_payments"] == Decimal(4_511_092)


pounds = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
keys = st.sampled_from(
    [(la, c) for la in ("derby", "nottingham", "nottinghamshire") for c in "ABCD"]
)
CONTRACT = _contract("1.00")


@settings(max_examples=200, deadline=None)
@given(
    earned=st.dictionaries(keys, pounds, max_size=12),
    maximum=st.one_of(st.none(), pounds),
    derby=st.one_of(st.none(), pounds),
)
def test_payable_is_within_every_maximum_and_adds_up_to_what_was_earned(earned, maximum, derby):
    las = tuple(
        replace(la, maximum_outcome_payment=derby) if la.code == "derby" else la
        for la in CONTRACT.local_authorities
    )
    contract = replace(CONTRACT, maximum_outcome_payment=maximum, local_authorities=las)
    groups = {k: Money(outcome_payments=v) for k, v in earned.items()}
    capped = payable_money(contract, groups)
    payable = sum((m.outcome_payments for m in capped.values()), ZERO)
    above = sum((m.above_maximum for m in capped.values()), ZERO)
    total = sum(earned.values(), ZERO)
    assert payable + above == total  # to the penny
    for k, m in capped.items():
        assert ZERO <= m.outcome_payments <= earned[k]
        assert m.outcome_payments + m.above_maximum == earned[k]
        assert m.outcome_payments == m.outcome_payments.quantize(Decimal("0.01"))
    if maximum is not None:
        assert payable <= maximum
    if derby is not None:
        mine = sum((m.outcome_payments for k, m in capped.items() if k[0] == "derby"), ZERO)
        assert mine <= derby
    # what no maximum stops is paid: the least of each maximum and what was earned
    bound = total
    if derby is not None:
        d = sum((v for k, v in earned.items() if k[0] == "derby"), ZERO)
        bound = total - d + min(d, derby)
    assert payable == (bound if maximum is None else min(bound, maximum))
    # applied twice, nothing more changes
    assert payable_money(contract, capped) == capped


FRAMES = _programme({"A": 300, "B": 200}, la="derby")  # £132,200 earned by Derby
FRAMES_EARNED = Decimal(300 * 228 + 200 * 304)


@settings(max_examples=40, deadline=None)
@given(maximum=st.one_of(st.none(), pounds), derby=st.one_of(st.none(), pounds))
def test_the_evaluation_report_within_any_maxima(maximum, derby):
    contract = _contract("1.00")
    las = tuple(
        replace(la, maximum_outcome_payment=derby) if la.code == "derby" else la
        for la in contract.local_authorities
    )
    contract = replace(contract, maximum_outcome_payment=maximum, local_authorities=las)
    fin = evaluation_report(contract, *FRAMES, AS_OF)["finance"]
    payable, above = fin["outcome_payments"], fin.get(ABOVE_MAXIMUM, ZERO)
    assert payable + above == FRAMES_EARNED
    for cap in (maximum, derby):
        if cap is not None:
            assert payable <= cap
    for section in (*fin["by_cohort"].values(), *fin["by_local_authority"].values()):
        assert section["outcome_payments"] >= 0 and section.get(ABOVE_MAXIMUM, ZERO) >= 0
    assert sum(c["outcome_payments"] for c in fin["by_cohort"].values()) == payable
    assert (
        fin["net_cash_saving"]
        == fin["cashable_savings"] - payable - fin["guaranteed_funding_payments"]
    )
