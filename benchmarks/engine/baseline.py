"""A straightforward row-by-row implementation of the evaluation report: the oracle.

The rules of tracker-format.md written the obvious way, on purpose apart from the product:
loop over Python rows, compute each referral's window, weeks and money in ``Decimal``, and
add them up. It takes only the contract's terms (``stars.domain.contract``) and the
report's rounding (``rate4``) from the product, never its rules (no windows, payment
designs or engine), so that ``run.py`` asserting identical report JSON at every size is an
independent check of the engine as well as the baseline it is timed against. Keep it that
way: when a rule changes, change it here by hand too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from stars.domain.contract.terms import Contract
from stars.domain.money import rate4

DECISIONS = (
    "progressed",
    "pending",
    "withdrawn",
    "criteria_not_met",
    "waiting_list",
    "not_progressed_other",
)
STATUSES = ("graduated", "closed_early", "gf_complete", "live")
CLOSED = ("closed_early", "graduated", "gf_complete")
FIN_COHORT = ("sustained_weeks", "payable_weeks", "savings", "outcome_payments")
FIN_COUNCIL = (
    "sustained_weeks",
    "cashable_savings",
    "cost_avoidance",
    "outcome_payments",
    "guaranteed_funding_payments",
    "net_cash_saving",
)

Row = dict[str, Any]


def baseline_report(
    contract: Contract,
    enquiries: list[Row],
    referrals: list[Row],
    periods: list[Row],
    as_of: dt.date,
) -> dict[str, Any]:
    cohorts, councils = contract.cohort_codes, contract.council_codes
    zero = Decimal(0)

    def decision_counts() -> dict[str, int]:
        return {"total": 0, **dict.fromkeys(DECISIONS, 0)}

    enq_cohort = {c: decision_counts() for c in cohorts}
    enq_la = {la: decision_counts() for la in councils}
    enq_total = 0
    for e in enquiries:
        if e["enquiry_date"] > as_of:
            continue
        enq_total += 1
        decided = e["decision_date"] is not None and e["decision_date"] <= as_of
        decision = e["decision"] if decided else "pending"
        for table, key in ((enq_cohort, e["cohort"]), (enq_la, e["local_authority"])):
            if key in table:
                table[key]["total"] += 1
                table[key][decision] += 1

    by_referral: dict[str, list[Row]] = defaultdict(list)
    for p in periods:
        by_referral[p["referral_id"]].append(p)

    years = {str(y): 0 for y in contract.years_started(as_of)}
    ref_cohort = dict.fromkeys(cohorts, 0)
    ref_la = dict.fromkeys(councils, 0)
    status_counts = dict.fromkeys(STATUSES, 0)
    reasons = dict.fromkeys(contract.closure_reasons, 0)
    status_cohort: dict[str, dict[str, int]] = {c: dict.fromkeys(STATUSES, 0) for c in cohorts}
    status_la: dict[str, dict[str, int]] = {la: dict.fromkeys(STATUSES, 0) for la in councils}
    fin_cohort = {c: dict.fromkeys(FIN_COHORT, zero) for c in cohorts}
    fin_la = {la: dict.fromkeys(FIN_COUNCIL, zero) for la in councils}
    totals = dict.fromkeys(
        (
            "sustained_weeks",
            "cashable_savings",
            "cost_avoidance",
            "outcome_payments",
            "guaranteed_funding_payments",
        ),
        zero,
    )
    n_refs = re_referrals = guaranteed = 0
    gf = contract.guaranteed_funding
    horizon = dt.timedelta(weeks=contract.programme_weeks)

    for r in referrals:
        start: dt.date = r["referral_date"]
        if start > as_of:
            continue
        n_refs += 1
        re_referrals += r["enquiry_id"] is None
        is_gf = r["funding"] == "guaranteed"
        guaranteed += is_gf
        end = r["end_date"]
        ended = end is not None and end <= as_of
        status = r["status"] if ended else "live"
        cohort_code, la = r["cohort"], r["local_authority"]
        year = str(contract.contract_year(start))
        if year in years:
            years[year] += 1
        if cohort_code in ref_cohort:
            ref_cohort[cohort_code] += 1
            status_cohort[cohort_code][status] += 1
        if la in ref_la:
            ref_la[la] += 1
            status_la[la][status] += 1
        status_counts[status] += 1
        if status == "closed_early" and r["closure_reason"] in reasons:
            reasons[r["closure_reason"]] += 1

        window_end = min(start + horizon, as_of)
        if end is not None:
            window_end = min(window_end, end)
        weeks = 0
        for p in by_referral.get(r["referral_id"], ()):
            frm = max(p["start_date"], start)
            until = window_end if p["end_date"] is None else min(p["end_date"], window_end)
            if until > frm:
                weeks += (until - frm).days // 7
        try:
            cohort = contract.cohort(cohort_code)
            proving = gf.minimum_weeks if is_gf else cohort.proving_weeks
            rate, saving, kind = (
                cohort.weekly_outcome_payment,
                cohort.weekly_saving,
                cohort.saving_kind,
            )
        except KeyError:
            proving = gf.minimum_weeks if is_gf else 0
            rate, saving, kind = zero, zero, "cashable"
        payable = max(weeks - proving, 0)
        payment = rate * payable
        fee = gf.fee if is_gf else zero
        value = saving * weeks
        cashable = value if kind == "cashable" else zero
        avoided = zero if kind == "cashable" else value

        totals["sustained_weeks"] += weeks
        totals["cashable_savings"] += cashable
        totals["cost_avoidance"] += avoided
        totals["outcome_payments"] += payment
        totals["guaranteed_funding_payments"] += fee
        if cohort_code in fin_cohort:
            f = fin_cohort[cohort_code]
            f["sustained_weeks"] += weeks
            f["payable_weeks"] += payable
            f["savings"] += value
            f["outcome_payments"] += payment
        if la in fin_la:
            g = fin_la[la]
            g["sustained_weeks"] += weeks
            g["cashable_savings"] += cashable
            g["cost_avoidance"] += avoided
            g["outcome_payments"] += payment
            g["guaranteed_funding_payments"] += fee
            g["net_cash_saving"] += cashable - payment - fee

    def closed_rate(counts: dict[str, int]) -> Decimal | None:
        return rate4(counts["closed_early"], sum(counts[s] for s in CLOSED))

    for table in (fin_cohort, fin_la):
        for row in table.values():
            row["sustained_weeks"] = int(row["sustained_weeks"])
            if "payable_weeks" in row:
                row["payable_weeks"] = int(row["payable_weeks"])
    payments = totals["outcome_payments"]
    lcf = payments * contract.lcf_share
    return {
        "as_of": as_of.isoformat(),
        "enquiries": {"total": enq_total, "by_cohort": enq_cohort, "by_local_authority": enq_la},
        "referrals": {
            "total": n_refs,
            "re_referrals": re_referrals,
            "guaranteed_funding": guaranteed,
            "by_cohort": ref_cohort,
            "by_local_authority": ref_la,
            "by_contract_year": years,
        },
        "cases": {
            "status": status_counts,
            "closure_reasons": reasons,
            "closed_early_rate": closed_rate(status_counts),
            "closed_early_rate_by_cohort": {c: closed_rate(status_cohort[c]) for c in cohorts},
            "closed_early_rate_by_local_authority": {
                la: closed_rate(status_la[la]) for la in councils
            },
        },
        "finance": {
            "by_cohort": fin_cohort,
            "by_local_authority": fin_la,
            "sustained_weeks": int(totals["sustained_weeks"]),
            "cashable_savings": totals["cashable_savings"],
            "cost_avoidance": totals["cost_avoidance"],
            "outcome_payments": payments,
            "guaranteed_funding_payments": totals["guaranteed_funding_payments"],
            "net_cash_saving": totals["cashable_savings"]
            - payments
            - totals["guaranteed_funding_payments"],
            "lcf_contribution": lcf,
            "council_cost": payments - lcf + totals["guaranteed_funding_payments"],
        },
    }
