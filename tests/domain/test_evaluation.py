"""The evaluation report: the published arithmetic, every key present, JSON rounding."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import empty_report, evaluation_report, report_to_json
from stars.domain.money import money_number, pence, rate4, to_json_ready
from stars.domain.outcomes.frames import empty_frames
from tests.domain.rows import period_row, programme_frames, referral_row

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
TEXT = TOML.read_text(encoding="utf-8")
DN2 = parse_contract(TEXT, "dn2-stars.toml")
D = dt.date
AS_OF = D(2024, 11, 30)


def _without_proving(text: str, rates: dict[str, str]) -> str:
    """The sample contract with no proving weeks and the given weekly outcome payments."""
    for n in ("13", "17"):
        text = text.replace(f"proving_weeks = {n}\n", "proving_weeks = 0\n")
    blocks = text.split("[[cohort]]")
    for i, block in enumerate(blocks[1:], start=1):
        code = block.split('code = "')[1][0]
        old = block.split("weekly_outcome_payment = ")[1].split("\n")[0]
        blocks[i] = block.replace(
            f"weekly_outcome_payment = {old}", f"weekly_outcome_payment = {rates[code]}"
        )
    return "[[cohort]]".join(blocks)


def _programme(weeks: dict[str, int], la: str = "nottinghamshire") -> tuple[pl.DataFrame, ...]:
    """Closed referrals, each with one period sustained for a whole number of weeks."""
    refs: list[dict[str, Any]] = []
    pers: list[dict[str, Any]] = []
    start = D(2021, 1, 4)
    for cohort, total in weeks.items():
        left = total
        while left:
            w = min(left, 100)
            left -= w
            rid = f"R{len(refs) + 1}"
            end = start + dt.timedelta(weeks=w)
            refs.append(
                referral_row(
                    rid,
                    local_authority=la,
                    cohort=cohort,
                    referral_date=start,
                    end_date=end,
                    status="graduated",
                )
            )
            pers.append(period_row(rid, start, end))
    return programme_frames(refs, pers)


def test_the_published_savings_table_recomputed():
    # Evaluation (Feb 2025): weeks A 1,365, B 6,973, C 1,130, D 4,280; £2,100 a week for A and
    # B, £700 for C and D; A and C cashable. The published payments total is reproduced with
    # illustrative weekly rates (the signed rates are not published) and no proving weeks.
    contract = parse_contract(
        _without_proving(TEXT, {"A": "228", "B": "304", "C": "0", "D": "486"}), "seed.toml"
    )
    e, r, p = _programme({"A": 1365, "B": 6973, "C": 1130, "D": 4280})
    report = evaluation_report(contract, e, r, p, AS_OF)
    fin = report["finance"]
    assert fin["by_cohort"]["A"]["savings"] == Decimal(2_866_500)  # 1,365 × £2,100
    assert fin["by_cohort"]["C"]["savings"] == Decimal(791_000)  # 1,130 × £700
    assert fin["cashable_savings"] == Decimal(3_657_500)
    # the published row D shows £2,995,000; 4,280 × £700 is £2,996,000
    assert fin["by_cohort"]["D"]["savings"] == Decimal(2_996_000)
    # so cost avoidance is 6,973 × £2,100 + £2,996,000 (published: £17,638,300)
    assert fin["cost_avoidance"] == Decimal(17_639_300)
    assert fin["sustained_weeks"] == 13_748
    assert fin["outcome_payments"] == Decimal(4_511_092)
    assert fin["net_cash_saving"] == Decimal(-853_592)  # 3,657,500 − 4,511,092
    assert fin["lcf_contribution"] == Decimal(1_127_773)  # a quarter of the payments
    assert fin["council_cost"] == Decimal(4_511_092 - 1_127_773)
    la = fin["by_local_authority"]["nottinghamshire"]
    assert la["net_cash_saving"] == Decimal(-853_592)
    assert fin["by_local_authority"]["derby"]["sustained_weeks"] == 0
    text = report_to_json(report)
    assert '"net_cash_saving": -853592.0' in text
    assert '"cashable_savings": 3657500.0' in text


def test_every_cohort_and_council_is_present_with_zeros_and_null_rates():
    e, r, p = empty_frames()
    report = evaluation_report(DN2, e, r, p, AS_OF)
    assert list(report) == ["as_of", "enquiries", "referrals", "cases", "finance"]
    enq = report["enquiries"]
    assert list(enq["by_cohort"]) == ["A", "B", "C", "D"]
    assert list(enq["by_local_authority"]) == ["derby", "nottingham", "nottinghamshire"]
    assert enq["by_local_authority"]["derby"] == enq["by_cohort"]["A"]
    assert list(enq["by_cohort"]["A"]) == [
        "total",
        "progressed",
        "pending",
        "withdrawn",
        "criteria_not_met",
        "waiting_list",
        "not_progressed_other",
    ]
    refs = report["referrals"]
    assert refs["by_contract_year"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
    cases = report["cases"]
    assert cases["status"] == {"graduated": 0, "closed_early": 0, "gf_complete": 0, "live": 0}
    assert list(cases["closure_reasons"]) == list(DN2.closure_reasons)
    assert cases["closed_early_rate"] is None
    assert cases["closed_early_rate_by_local_authority"] == dict.fromkeys(DN2.council_codes)
    fin = report["finance"]
    assert fin["by_cohort"]["B"] == {
        "sustained_weeks": 0,
        "payable_weeks": 0,
        "savings": 0,
        "outcome_payments": 0,
    }
    assert set(fin["by_local_authority"]["derby"]) == {
        "sustained_weeks",
        "cashable_savings",
        "cost_avoidance",
        "outcome_payments",
        "guaranteed_funding_payments",
        "net_cash_saving",
    }
    plain = json.loads(report_to_json(report))
    assert plain["finance"]["net_cash_saving"] == 0
    assert plain["cases"]["closed_early_rate_by_cohort"]["A"] is None


def test_report_of_an_empty_database_without_a_contract():
    plain = json.loads(report_to_json(empty_report(AS_OF)))
    assert plain["as_of"] == "2024-11-30"
    assert plain["referrals"]["by_cohort"] == {}
    assert plain["finance"]["council_cost"] == 0


def _enquiry(eid: str, **kw: Any) -> dict[str, Any]:
    row = {
        "enquiry_id": eid,
        "child_ref": f"C{eid}",
        "local_authority": "derby",
        "cohort": "A",
        "enquiry_date": D(2024, 11, 1),
        "date_of_birth": D(2012, 1, 1),
        "decision": "progressed",
        "decision_date": D(2024, 11, 20),
    }
    row.update(kw)
    return row


def test_decisions_dated_after_the_as_of_date_are_pending():
    e, r, p = empty_frames()
    rows = [
        _enquiry("E1"),
        _enquiry("E2", decision="withdrawn", decision_date=D(2024, 12, 1), cohort="B"),
        _enquiry("E3", enquiry_date=D(2024, 12, 1), decision_date=D(2024, 12, 2)),
        _enquiry("E4", decision="pending", decision_date=None, local_authority="nottingham"),
    ]
    enq = evaluation_report(DN2, pl.DataFrame(rows, schema=e.schema), r, p, AS_OF)["enquiries"]
    assert enq["total"] == 3  # E3 does not exist yet
    assert enq["by_cohort"]["A"]["progressed"] == 1
    assert enq["by_cohort"]["A"]["pending"] == 1
    assert enq["by_cohort"]["B"]["pending"] == 1  # withdrawn only on 1 December
    assert enq["by_local_authority"]["derby"]["total"] == 2


def test_cases_counts_rates_and_years():
    e, r, p = empty_frames()

    def ref(rid: str, day: dt.date, status: str, end: dt.date | None, reason: str | None = None):
        return referral_row(
            rid,
            enquiry_id=None if rid == "R5" else f"E{rid}",
            child_ref=rid,
            local_authority="nottingham" if rid == "R1" else "derby",
            cohort="C",
            date_of_birth=D(2012, 1, 1),
            funding="guaranteed" if rid == "R2" else "sib",
            referral_date=day,
            status=status,
            end_date=end,
            closure_reason=reason,
        )

    refs = [
        ref("R1", D(2021, 8, 31), "graduated", D(2023, 8, 29)),
        ref("R2", D(2021, 9, 1), "closed_early", D(2022, 1, 1), "other"),
        ref("R3", D(2022, 1, 1), "closed_early", D(2024, 12, 1), "entered_care"),  # ends later
        ref("R4", D(2023, 1, 1), "gf_complete", D(2023, 7, 1)),
        ref("R5", D(2024, 11, 30), "live", None),
        ref("R6", D(2024, 12, 1), "live", None),  # not yet
    ]
    report = evaluation_report(DN2, e, pl.DataFrame(refs, schema=r.schema), p, AS_OF)
    assert report["referrals"]["total"] == 5
    assert report["referrals"]["re_referrals"] == 1
    assert report["referrals"]["guaranteed_funding"] == 1
    assert report["referrals"]["by_contract_year"] == {"1": 1, "2": 2, "3": 1, "4": 0, "5": 1}
    cases = report["cases"]
    assert cases["status"] == {"graduated": 1, "closed_early": 1, "gf_complete": 1, "live": 2}
    assert cases["closure_reasons"]["other"] == 1
    assert cases["closure_reasons"]["entered_care"] == 0  # not known on the as-of date
    assert cases["closed_early_rate"] == Decimal("0.3333")
    assert cases["closed_early_rate_by_local_authority"] == {
        "derby": Decimal("0.5000"),
        "nottingham": Decimal("0.0000"),
        "nottinghamshire": None,
    }
    plain = json.loads(report_to_json(report))
    assert plain["cases"]["closed_early_rate"] == 0.3333
    assert plain["finance"]["guaranteed_funding_payments"] == 11700.0


def test_money_rounds_half_up_to_pence_only_for_display():
    assert pence(Decimal("2.345")) == Decimal("2.35")
    assert pence(Decimal("-2.345")) == Decimal("-2.35")
    assert pence(Decimal("0.005")) == Decimal("0.01")
    assert money_number(Decimal("1127773.005")) == 1127773.01
    assert rate4(2, 3) == Decimal("0.6667")
    assert rate4(96, 152) == Decimal("0.6316")  # the evaluation's closed-early rate
    assert money_number(Decimal("-0.001")) == 0.0 and str(money_number(Decimal("-0.001"))) == "0.0"
    assert rate4(1, 8) == Decimal("0.1250")
    assert rate4(5, 0) is None
    plain = to_json_ready(
        {"a": Decimal("0.125"), "r": {"x": Decimal("0.66665")}, "n": [Decimal("1.005")]}, {"r"}
    )
    assert plain == {"a": 0.13, "r": {"x": 0.6667}, "n": [1.01]}
    assert json.dumps(money_number(Decimal("1234567.8"))) == "1234567.8"
