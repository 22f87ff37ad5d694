"""The evaluation report computed row by row from the tracker files: the reference.

An independent, deliberately plain implementation of ``docs``' tracker format (the contract
TOML, ``enquiries.csv``, ``referrals.csv``, ``outcome_periods.csv`` -> the evaluation report
JSON), written from the format's text alone: it imports nothing of ``stars``, reads the
files with ``tomllib`` and ``csv``, loops over rows and adds ``Decimal`` amounts. It serves
two purposes:

- the **oracle** the tests hold the product's engine against (on generated programmes of
  every payment design, value for value), and
- the **baseline** the benchmarks time the product against ("a straightforward row-by-row
  computation of the same report from the same CSV files").

Contract variations (``[[variation]]``, docs/contract-variations.md) are applied here
week by week: every whole week's last day is listed and each is priced with the terms in
force that day; a milestone on the day its run reaches its length; a guaranteed-funding
fee on the referral date.

It assumes files the product's import accepts (valid dates, known codes, no overlaps); it
does not check them.

    python benchmarks/reference/report.py DIR --as-of 2024-11-30   # DIR holds the four files
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import tomllib
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

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
DEFAULT_REASONS = (
    "consent_withdrawn",
    "placement_breakdown",
    "care_plan_change",
    "entered_care",
    "increased_risk",
    "other",
)
ZERO = Decimal(0)
PENNY = Decimal("0.01")
RATE = Decimal("0.0001")
LCF = "Life Chances Fund"
# what a [[variation]] may change (a cohort's terms, the guaranteed weekly fee), besides
# milestone payments (``milestones = { name = payment }``)
VARIED = ("weekly_outcome_payment", "weekly_saving", "guaranteed_weekly_fee")

Row = dict[str, Any]


# -- reading ------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def read_contract(path: Path) -> dict[str, Any]:
    """The contract as plain data: money as Decimal, codes as spelt in the file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    prog = data["programme"]
    funds: list[dict[str, Any]] = []
    for f in data.get("outcome_fund", []):
        cap = f.get("cap")
        funds.append(
            {
                "name": f["name"],
                "share": _dec(f["share"]),
                "cap": None if cap is None else _dec(cap),
            }
        )
    if not funds and "lcf_share" in prog:
        funds.append({"name": LCF, "share": _dec(prog["lcf_share"]), "cap": None})
    cohorts = []
    for c in data["cohort"]:
        cap = c.get("max_payment_per_referral")
        cohorts.append(
            {
                "code": c["code"],
                "design": c.get("payment_design", "weekly_after_proving"),
                "proving_weeks": int(c.get("proving_weeks", 0)),
                "rate": _dec(c.get("weekly_outcome_payment", 0)),
                "saving": _dec(c["weekly_saving"]),
                "kind": str(c["saving_kind"]).lower(),
                "cap": None if cap is None else _dec(cap),
                "milestones": [
                    (m["name"], int(m["continuous_weeks"]), _dec(m["payment"]))
                    for m in c.get("milestone", [])
                ],
            }
        )
    gf = data.get("guaranteed_funding", {})
    variations = []
    for v in data.get("variation", []):
        changes = {k: _dec(v[k]) for k in VARIED if k in v}
        for name, amount in v.get("milestones", {}).items():
            changes[f"milestone:{name}"] = _dec(amount)
        variations.append({"from": v["from"], "cohort": v.get("cohort"), "changes": changes})
    return {
        "variations": sorted(variations, key=lambda v: v["from"]),
        "gf_weekly_fee": _dec(gf.get("weekly_fee", 0)),
        "start": prog["start"],
        "programme_weeks": int(prog["programme_weeks"]),
        "closure_reasons": tuple(r.lower() for r in prog.get("closure_reasons", DEFAULT_REASONS)),
        "councils": [la["code"] for la in data["local_authority"]],
        "council_maxima": {
            la["code"]: _dec(la["maximum_outcome_payment"])
            for la in data["local_authority"]
            if "maximum_outcome_payment" in la
        },
        "maximum": (
            _dec(prog["maximum_outcome_payment"]) if "maximum_outcome_payment" in prog else None
        ),
        "cohorts": cohorts,
        "gf_weeks": int(gf.get("minimum_weeks", 0)),
        "funds": funds,
    }


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v.strip() or None) for k, v in row.items()} for row in csv.DictReader(f)]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# -- rules --------------------------------------------------------------------------------


def contract_year(start: dt.date, on: dt.date) -> int:
    months = (on.year - start.year) * 12 + (on.month - start.month)
    if on.day < start.day:
        months -= 1
    return months // 12 + 1


def runs(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Unbroken runs: spans that touch (one ends the day the next starts) joined."""
    out: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(spans):
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def in_force(
    contract: dict[str, Any], cohort: str | None, key: str, written: Decimal, day: dt.date
) -> Decimal:
    """A term as written, changed by every variation (for this cohort or every cohort) in
    force on ``day``: the latest one from that day or before that changes it."""
    value = written
    for v in contract["variations"]:
        if v["from"] > day:
            break
        whom = v["cohort"]
        if key in v["changes"] and (
            whom is None or (cohort is not None and whom.lower() == cohort.lower())
        ):
            value = v["changes"][key]
    return value


def referral_money(
    contract: dict[str, Any], cohort: dict[str, Any] | None, r: Row, periods: list[Row], d: dt.date
) -> dict[str, Any]:
    """Weeks, payments and savings of one referral as of ``d``."""
    start: dt.date = r["referral_date"]
    window_end = min(start + dt.timedelta(weeks=contract["programme_weeks"]), d)
    if r["end_date"] is not None:
        window_end = min(window_end, r["end_date"])
    spans = []
    for p in periods:
        frm = max(p["start_date"], start)
        until = window_end if p["end_date"] is None else min(p["end_date"], window_end)
        if until > frm:
            spans.append((frm, until))
    # the last day of every whole week of every span, in date order: a week is earned (and
    # priced with the terms in force) on its last day
    last_days = sorted(
        a + dt.timedelta(days=7 * k - 1) for a, b in spans for k in range(1, (b - a).days // 7 + 1)
    )
    sustained = len(last_days)
    code = cohort["code"] if cohort else None
    guaranteed = r["funding"] == "guaranteed"
    weekly_fee = in_force(contract, None, "guaranteed_weekly_fee", contract["gf_weekly_fee"], start)
    fee = weekly_fee * contract["gf_weeks"] if guaranteed else ZERO
    earned: dict[str, int] = {}
    payable, payment = 0, ZERO
    if cohort is not None and cohort["design"] == "continuous_milestones":
        found = runs(spans)
        for name, weeks, amount in cohort["milestones"]:
            need = max(1, 7 * weeks)
            # earned on the day the first run long enough reaches its length
            day = next(
                (a + dt.timedelta(days=need - 1) for a, b in found if (b - a).days >= need), None
            )
            earned[name] = earned.get(name, 0) + int(day is not None)
            if day is not None:
                payment += in_force(contract, code, f"milestone:{name}", amount, day)
    elif cohort is not None:
        proving = contract["gf_weeks"] if guaranteed else cohort["proving_weeks"]
        payable = max(sustained - proving, 0)
        for day in last_days[proving:]:
            payment += in_force(contract, code, "weekly_outcome_payment", cohort["rate"], day)
    if cohort is not None and cohort["cap"] is not None:
        payment = min(payment, cohort["cap"])
    saving = ZERO
    if cohort is not None:
        for day in last_days:
            saving += in_force(contract, code, "weekly_saving", cohort["saving"], day)
    cashable = cohort is None or cohort["kind"] == "cashable"
    return {
        "sustained": sustained,
        "payable": payable,
        "payment": payment,
        "fee": fee,
        "cashable": saving if cashable else ZERO,
        "avoided": ZERO if cashable else saving,
        "milestones": earned,
    }


def shared(amount: Decimal, earned: dict[Any, Decimal]) -> dict[Any, Decimal]:
    """``amount`` (a maximum outcome payment) shared between the groups in proportion to
    what they ``earned`` when they earned more: each rounded down to the penny, then the
    pennies left one each to the largest remainders (ties: the first group in order), none
    past what it earned, then any part of a penny left likewise."""
    whole = sum(earned.values(), ZERO)
    if amount >= whole:
        return dict(earned)
    keys = sorted(earned)
    exact = {k: amount * earned[k] / whole for k in keys}
    out = {k: (exact[k] // PENNY) * PENNY for k in keys}
    left = amount - sum(out.values(), ZERO)
    by_remainder = sorted(keys, key=lambda k: (out[k] - exact[k], keys.index(k)))
    for penny in (True, False):
        for k in by_remainder:
            give = min(left, earned[k] - out[k], PENNY if penny else left)
            if give > 0:
                out[k] += give
                left -= give
    return out


def payable(contract: dict[str, Any], earned: dict[tuple[str, str], Decimal]) -> dict:
    """What the contract pays of the outcome payments earned per (council, cohort): each
    council's within its own maximum, then all within the programme's."""
    out = dict(earned)
    for la, cap in contract["council_maxima"].items():
        mine = {k: v for k, v in out.items() if k[0] == la}
        out.update(shared(max(cap, ZERO), mine))
    if contract["maximum"] is not None:
        out = shared(max(contract["maximum"], ZERO), out)
    return out


def report(
    contract: dict[str, Any],
    enquiries: list[Row],
    referrals: list[Row],
    periods: list[Row],
    d: dt.date,
) -> dict[str, Any]:
    """The evaluation report as of ``d``: counts as int, money as exact Decimal."""
    councils = contract["councils"]
    cohorts = {c["code"]: c for c in contract["cohorts"]}
    la_of = {c.lower(): c for c in councils}
    cohort_of = {c.lower(): c for c in cohorts}

    def canon(row: Row) -> tuple[str, str]:
        la, co = row["local_authority"] or "", row["cohort"] or ""
        return la_of.get(la.lower(), la), cohort_of.get(co.lower(), co)

    def decisions() -> dict[str, int]:
        return {"total": 0, **dict.fromkeys(DECISIONS, 0)}

    enq_cohort = {c: decisions() for c in cohorts}
    enq_la = {la: decisions() for la in councils}
    enq_total = 0
    for e in enquiries:
        if _date(e["enquiry_date"]) > d:  # type: ignore[operator]
            continue
        enq_total += 1
        decided_on = _date(e["decision_date"])
        decision = (e["decision"] or "pending").lower()
        if decided_on is None or decided_on > d:
            decision = "pending"
        la, co = canon(e)
        for table, key in ((enq_cohort, co), (enq_la, la)):
            if key in table:
                table[key]["total"] += 1
                table[key][decision] += 1

    by_referral: dict[str, list[Row]] = defaultdict(list)
    for p in periods:
        by_referral[p["referral_id"]].append(
            {"start_date": _date(p["start_date"]), "end_date": _date(p["end_date"])}
        )

    last_year = contract_year(contract["start"], d)
    years = {str(y): 0 for y in range(1, last_year + 1)}
    reasons = dict.fromkeys(contract["closure_reasons"], 0)
    status_all = dict.fromkeys(STATUSES, 0)
    status_co = {c: dict.fromkeys(STATUSES, 0) for c in cohorts}
    status_la = {la: dict.fromkeys(STATUSES, 0) for la in councils}
    ref_co = dict.fromkeys(cohorts, 0)
    ref_la = dict.fromkeys(councils, 0)
    fin_co: dict[str, dict[str, Any]] = {}
    for code, c in cohorts.items():
        fin_co[code] = {
            "sustained_weeks": 0,
            "payable_weeks": 0,
            "savings": ZERO,
            "outcome_payments": ZERO,
        }
        if c["design"] == "continuous_milestones":
            fin_co[code]["milestones"] = {name: 0 for name, _, _ in c["milestones"]}
    fin_la = {
        la: {
            "sustained_weeks": 0,
            "cashable_savings": ZERO,
            "cost_avoidance": ZERO,
            "outcome_payments": ZERO,
            "guaranteed_funding_payments": ZERO,
            "net_cash_saving": ZERO,
        }
        for la in councils
    }
    total = {"weeks": 0, "cashable": ZERO, "avoided": ZERO, "payment": ZERO, "fee": ZERO}
    n = re_referrals = guaranteed = 0
    earned: dict[tuple[str, str], Decimal] = {}  # outcome payments per (council, cohort)
    for r in referrals:
        row = {
            "referral_date": _date(r["referral_date"]),
            "end_date": _date(r["end_date"]),
            "funding": (r["funding"] or "").lower(),
        }
        if row["referral_date"] > d:  # type: ignore[operator]
            continue
        n += 1
        re_referrals += r["enquiry_id"] is None
        guaranteed += row["funding"] == "guaranteed"
        la, co = canon(r)
        ended = row["end_date"] is not None and row["end_date"] <= d
        status = (r["status"] or "").lower() if ended else "live"
        year = str(contract_year(contract["start"], row["referral_date"]))  # type: ignore[arg-type]
        if year in years:
            years[year] += 1
        status_all[status] += 1
        if co in ref_co:
            ref_co[co] += 1
            status_co[co][status] += 1
        if la in ref_la:
            ref_la[la] += 1
            status_la[la][status] += 1
        if status == "closed_early":
            reason = (r["closure_reason"] or "").lower()
            if reason in reasons:
                reasons[reason] += 1
        m = referral_money(contract, cohorts.get(co), row, by_referral.get(r["referral_id"], []), d)
        total["weeks"] += m["sustained"]
        total["cashable"] += m["cashable"]
        total["avoided"] += m["avoided"]
        total["payment"] += m["payment"]
        total["fee"] += m["fee"]
        earned[(la, co)] = earned.get((la, co), ZERO) + m["payment"]
        if co in fin_co:
            f = fin_co[co]
            f["sustained_weeks"] += m["sustained"]
            f["payable_weeks"] += m["payable"]
            f["savings"] += m["cashable"] + m["avoided"]
            f["outcome_payments"] += m["payment"]
            for name, k in m["milestones"].items():
                f["milestones"][name] += k
        if la in fin_la:
            g = fin_la[la]
            g["sustained_weeks"] += m["sustained"]
            g["cashable_savings"] += m["cashable"]
            g["cost_avoidance"] += m["avoided"]
            g["outcome_payments"] += m["payment"]
            g["guaranteed_funding_payments"] += m["fee"]
            g["net_cash_saving"] += m["cashable"] - m["payment"] - m["fee"]

    # within each maximum outcome payment: the report states what is payable, and what was
    # earned above a maximum beside it (in every finance section, once there is any)
    paid = payable(contract, earned)
    above = {k: earned[k] - paid[k] for k in earned}
    if any(above.values()):
        for section, key, at in ((fin_co, "cohort", 1), (fin_la, "council", 0)):
            for code, f in section.items():
                mine = [k for k in earned if k[at] == code]
                cut = sum((above[k] for k in mine), ZERO)
                f["outcome_payments"] -= cut
                f["outcome_payments_above_maximum"] = cut
                if key == "council":
                    f["net_cash_saving"] += cut
        total["above"] = sum(above.values(), ZERO)
        total["payment"] -= total["above"]

    def rate(counts: dict[str, int]) -> Decimal | None:
        closed = sum(counts[s] for s in CLOSED)
        if closed == 0:
            return None
        return (Decimal(counts["closed_early"]) / closed).quantize(RATE, ROUND_HALF_UP)

    funds: dict[str, Decimal] = {}
    for fund in contract["funds"]:
        amount = fund["share"] * total["payment"]
        if fund["cap"] is not None:
            amount = min(amount, fund["cap"])
        funds[fund["name"]] = amount
    contributions = sum(funds.values(), ZERO)
    return {
        "as_of": d.isoformat(),
        "enquiries": {"total": enq_total, "by_cohort": enq_cohort, "by_local_authority": enq_la},
        "referrals": {
            "total": n,
            "re_referrals": re_referrals,
            "guaranteed_funding": guaranteed,
            "by_cohort": ref_co,
            "by_local_authority": ref_la,
            "by_contract_year": years,
        },
        "cases": {
            "status": status_all,
            "closure_reasons": reasons,
            "closed_early_rate": rate(status_all),
            "closed_early_rate_by_cohort": {c: rate(status_co[c]) for c in cohorts},
            "closed_early_rate_by_local_authority": {la: rate(status_la[la]) for la in councils},
        },
        "finance": {
            "by_cohort": fin_co,
            "by_local_authority": fin_la,
            "sustained_weeks": total["weeks"],
            "cashable_savings": total["cashable"],
            "cost_avoidance": total["avoided"],
            "outcome_payments": total["payment"],
            **({"outcome_payments_above_maximum": total["above"]} if "above" in total else {}),
            "guaranteed_funding_payments": total["fee"],
            "net_cash_saving": total["cashable"] - total["payment"] - total["fee"],
            "lcf_contribution": contributions,
            "council_cost": total["payment"] - contributions + total["fee"],
            "outcome_funds": funds,
        },
    }


def report_from_dir(folder: Path, d: dt.date) -> dict[str, Any]:
    """The report of a folder holding contract.toml and the three tracker CSVs."""
    return report(
        read_contract(folder / "contract.toml"),
        read_csv(folder / "enquiries.csv"),
        read_csv(folder / "referrals.csv"),
        read_csv(folder / "outcome_periods.csv"),
        d,
    )


def plain(value: Any, rate: bool = False) -> Any:
    """JSON-ready: money to pence (half up), rates (under a ``*rate*`` key) to 4 places."""
    if isinstance(value, dict):
        return {k: plain(v, rate or "rate" in k) for k, v in value.items()}
    if isinstance(value, Decimal):
        return float(value.quantize(RATE if rate else PENNY, ROUND_HALF_UP)) + 0.0
    return value


def differences(ours: Any, theirs: Any, path: str = "") -> list[str]:
    """Where two JSON reports differ (keys missing either side, or unequal values).

    Numbers are compared as decimals to the penny, so 2.0 equals 2 and 0.1 + 0.2 is 0.3.
    """
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out: list[str] = []
        for k in sorted(set(ours) | set(theirs)):
            if k not in ours:
                out.append(f"{path}/{k}: missing from the first")
            elif k not in theirs:
                out.append(f"{path}/{k}: missing from the second")
            else:
                out += differences(ours[k], theirs[k], f"{path}/{k}")
        return out
    numbers = (int, float)
    if (
        isinstance(ours, numbers)
        and isinstance(theirs, numbers)
        and not isinstance(ours, bool)
        and not isinstance(theirs, bool)
    ):
        a = Decimal(str(ours)).quantize(RATE, ROUND_HALF_UP)
        b = Decimal(str(theirs)).quantize(RATE, ROUND_HALF_UP)
        return [] if a == b else [f"{path}: {ours} != {theirs}"]
    return [] if ours == theirs else [f"{path}: {ours!r} != {theirs!r}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="contract.toml and the three tracker CSVs")
    ap.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--compare", type=Path, help="a report JSON to hold against this one")
    args = ap.parse_args(argv)
    ours = plain(report_from_dir(args.folder, args.as_of))
    if args.compare:
        diff = differences(ours, json.loads(args.compare.read_text(encoding="utf-8")))
        print("\n".join(diff) if diff else "identical, value for value")
        return 1 if diff else 0
    json.dump(ours, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
