"""The programme as open data in the INDIGO impact bond data standard (Government Outcomes Lab).

``indigo_project`` builds an INDIGO *project* record (schema ``project.json`` of the
standard, release 4.1.0, github.com/INDIGO-Initiative/indigo-data-standard): every value is
wrapped as INDIGO does (``{"value": ...}``), dates are YYYY-MM-DD, money is a plain number
with an ISO 4217 currency. What it carries:

* ``name``, ``stage_development``, ``dates``, ``jurisdiction``, ``purpose_and_classifications``
  and ``service_and_beneficiaries`` from the contract terms and the referrals;
* ``outcome_metrics`` and ``outcome_pricings``: one metric per cohort, as its payment design
  states it (``weekly_after_proving``: a week of placement or home sustained after the
  proving period, at the cohort's weekly price; ``continuous_milestones``: its milestones,
  a pricing each);
* ``outcome_payment_commitments``: each council's outcome payments after the outcome funds'
  shares, and each outcome fund's share (capped), so that together they are the outcome
  payments earned within each maximum outcome payment (what the contract pays), counted
  once; what was earned above a maximum is not payable and is stated in the notes of
  ``overall_project_finance``; guaranteed-funding fees are not outcome payments and are
  left out (as in ``total_outcome_payments_made``);
* ``results``: per cohort, children engaged and children with at least one unit paid for
  (a sustained week, a milestone), and the units paid for (interim while the programme
  runs);
* ``outcome_payments``: the actual payments of approved claims, per council, month and
  outcome metric, split between the council and the outcome funds (their recorded parts);
  one paying for 1 to 4 children is left out (it is their units times a price printed in
  the contract), and so is another of the council's where one alone would be (decision
  0018);
* ``id``, ``organisations``, ``service_provisions`` (the provider), ``investments`` (the
  investor), ``outcome_funds`` and ``delivery_locations`` (each council with its ONS code),
  from the contract (``[programme] code/provider/investor``, ``[[local_authority]] ons_code``).

Aggregate only: no child-level row; the counts of children published as the evaluation
report and the board card publish them (``stars.domain.disclosure``): a count from 1 to 4,
and one that would give such a count away (the total less the others), left out with a
note. Figures come from the outcomes engine and the approved claims; the money is
``Decimal`` until it is written as a JSON number.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from stars.core.audit import record_access
from stars.domain.calendar import next_month
from stars.domain.contract.terms import LIFE_CHANCES_FUND, Contract
from stars.domain.disclosure import (
    SUPPRESS_BELOW,
    SUPPRESSED,
    is_small,
    suppress_amounts,
    suppress_parts,
)
from stars.domain.evaluation.report import money_of_section
from stars.domain.money import allocate, price_text
from stars.domain.outcomes.designs.registry import design_for
from stars.finance.engine_bridge import payments_as_of
from stars.finance.models import ClaimFund, ClaimLine, ClaimStatus, OutcomeClaim
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral
from stars.reports.evaluation import evaluation_for

STANDARD = "INDIGO impact bond data standard, project schema 4.1.0"
CURRENCY = {"value": "GBP"}
POLICY_SECTOR = "Child and family welfare"


def intervention(contract: Contract) -> str:
    """What the provider delivers, for the contract's own length of support
    (``programme_weeks``: DN2's 104 are two years) and, where the contract says who chairs
    a case's progress meetings (``progress_meeting_chair``), by whom; a contract that does
    not say is described without naming anyone."""
    weeks = contract.programme_weeks
    length = "Two years" if weeks == 104 else f"{weeks} week{'s' if weeks != 1 else ''}"
    described = f"{length} of intensive support for each family"
    if contract.progress_meeting_chair:
        return f"{described} by a key worker and {contract.progress_meeting_chair}"
    return described


def slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def project_id(contract: Contract) -> str:
    """The programme's identifier: its contract code, else its name."""
    return f"stars-{contract.code or slug(contract.name)}"


def org_id(name: str) -> str:
    return f"org-{slug(name)}"


def fund_id(name: str) -> str:
    return "life-chances-fund" if name == LIFE_CHANCES_FUND else f"fund-{slug(name)}"


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


def _num(amount: Decimal | int) -> int | float:
    """A JSON number: whole amounts as integers, pence as a two-place float (display only)."""
    if isinstance(amount, int):
        return amount
    return int(amount) if amount == amount.to_integral_value() else float(round(amount, 2))


def _count(n: int | str) -> dict[str, Any]:
    """A count as published (``stars.domain.disclosure``): one hidden ("c") is left out, a
    count from 1 to 4, or one that would give such a count away, could identify a child."""
    return {} if n == SUPPRESSED else _v(n)


def _amount(amount: Decimal | str) -> dict[str, Any]:
    """An amount as published (``stars.domain.disclosure.published_amount``): one hidden
    ("c": a price times a hidden count, or a figure it could be worked out from) is left
    out."""
    return {} if isinstance(amount, str) else _v(_num(amount))


def council_id(code: str) -> str:
    return f"council-{code}"


def indigo_project(*, as_of: dt.date) -> dict[str, Any]:
    contract = contract_current()
    report = evaluation_for(scope=None, as_of=as_of)
    # the counts of children as every role that sees figures only is given them: the cohorts'
    # referrals and their total by the rule of the evaluation report and the board card
    # and its money as they are given it: an amount that is a price times a hidden count
    # left out with the count, with the totals it could be worked out from
    published = evaluation_for(scope=None, as_of=as_of, published=True)
    shown, shown_fin = published["referrals"], published["finance"]
    paid_hidden = shown_fin["outcome_payments"] == SUPPRESSED
    by_cohort = report["referrals"]["by_cohort"]
    payments = payments_as_of(contract, council=None, as_of=as_of)
    cohort_of = _cohorts()
    positive: dict[str, int] = defaultdict(int)
    weeks: dict[str, int] = defaultdict(int)
    for rid, p in payments.items():
        code = cohort_of.get(rid)
        if code is None:
            continue
        paid_for = p.payable_weeks + len(p.milestones)  # the units the design paid for
        weeks[code] += paid_for
        positive[code] += paid_for > 0
    end = contract.referral_period_end + dt.timedelta(weeks=contract.programme_weeks)
    fin = report["finance"]
    earned = money_of_section(fin)
    stage = "Implementation" if as_of < end else "Service delivery complete"
    result_type = "Interim" if as_of < end else "Final"
    period = {"start_date": _v(contract.start.isoformat()), "end_date": _v(as_of.isoformat())}
    small_note = (
        f"Counts from 1 to {SUPPRESS_BELOW - 1}, and counts that would give one away (a total "
        "less the counts shown), are left out so that no child can be identified."
    )
    money_note = (
        "Amounts that would give such a count away (a price times the count, or a total "
        "less the amounts shown) are left out too."
    )

    metrics: list[dict[str, Any]] = []
    pricings: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for c in contract.cohorts:
        mid = metric_id(c.code)
        metric = design_for(contract, c.code).outcome_metric(contract, c)
        metrics.append(
            {
                "id": mid,
                "definition": _v(metric.definition),
                "target_population": _v(f"Children referred in cohort {c.code}: {c.name}"),
                "targeted_number_of_service_users_or_beneficiaries_total": _v(c.minimum_referrals),
                "unit_type_of_targeted_service_users_or_beneficiaries": _v("Individual"),
                "outcome_validation_method": _v(
                    "Weeks computed by the STARS outcomes engine from recorded outcome periods; "
                    "claims reviewed and approved by each council's commissioner"
                ),
                "data_source_for_outcome_validation": _v(
                    "Provider case records; council children-looked-after (SSDA903) returns"
                ),
                "policy_sector": _v(POLICY_SECTOR),
                "status": "PUBLIC",
            }
        )
        pricings.extend(
            {
                "outcome_metric_id": _v(mid),
                "currency": CURRENCY,
                "price_per_unit": {"amount": _v(_num(price.amount))},
                "price_description": _v(f"{price_text(price.amount)} {price.unit}"),
                "status": "PUBLIC",
            }
            for price in metric.prices
        )
        # those with a positive outcome and the others are the cohort's referrals, shown
        others = by_cohort[c.code] - positive[c.code]
        parts = suppress_parts(
            {"positive": positive[c.code], "others": others}, shown["by_cohort"][c.code]
        )
        result: dict[str, Any] = {
            "outcome_metric_id": _v(mid),
            "result_level": _v("Outcome level"),
            "result_type": _v(result_type),
            "period": period,
            "outcomes_achieved": {}
            if shown_fin["by_cohort"][c.code]["outcome_payments"] == SUPPRESSED
            else _v(metric.achieved.format(weeks[c.code])),
            "number_engaged_in_impact_bond": _count(shown["by_cohort"][c.code]),
            "number_with_positive_social_outcomes": _count(parts["positive"]),
            "status": "PUBLIC",
        }
        if SUPPRESSED in (shown["by_cohort"][c.code], parts["positive"]):
            result["notes"] = small_note
        if shown_fin["by_cohort"][c.code]["outcome_payments"] == SUPPRESSED:
            result["notes"] = f"{small_note} {money_note}"
        results.append(result)

    # who meets the outcome payments: the funds their shares (capped), each council the rest
    # of its own; guaranteed-funding fees are not outcome payments and are left out
    funds = fin["outcome_funds"]
    by_council = [
        fin["by_local_authority"][la.code]["outcome_payments"] for la in contract.local_authorities
    ]
    council_net = list(by_council)
    for amount in funds.values():
        for i, part in enumerate(allocate(amount, by_council)):
            council_net[i] -= part
    commitments = []
    for la, net in zip(contract.local_authorities, council_net, strict=True):
        commitment: dict[str, Any] = {
            "organisation_id": _v(council_id(la.code)),
            "organisation_role_category": _v("Government/Public Sector/Public Bank"),
            "result_type": _v(result_type),
            "period": period,
            "total_outcome_payments": {
                "currency": CURRENCY,
                "amount": {} if paid_hidden else _v(_num(net)),
            },
            "notes": "Outcome payments the council meets after the outcome funds' shares; "
            "guaranteed-funding fees are not outcome payments and are not included.",
            "status": "PUBLIC",
        }
        if la.maximum_outcome_payment is not None:
            commitment["maximum_potential_outcome_payment"] = {
                "currency": CURRENCY,
                "amount": _v(_num(la.maximum_outcome_payment)),
            }
        commitments.append(commitment)
    for fund in contract.funds:
        commitment = {
            "organisation_id": _v(fund_id(fund.name)),
            "organisation_role_category": _v("Government/Public Sector/Public Bank"),
            "result_type": _v(result_type),
            "period": period,
            "total_outcome_payments": {
                "currency": CURRENCY,
                "amount": _amount(shown_fin["outcome_funds"][fund.name]),
            },
            "notes": f"{fund.name} meets {fund.share:.0%} of outcome payments"
            + (f", up to {_num(fund.cap)} in total." if fund.cap is not None else "."),
            "status": "PUBLIC",
        }
        if fund.cap is not None:
            commitment["maximum_potential_outcome_payment"] = {
                "currency": CURRENCY,
                "amount": _v(_num(fund.cap)),
            }
        commitments.append(commitment)

    actual = _actual_payments(contract, as_of)

    cap = contract.maximum_outcome_payment
    return {
        "status": "PUBLIC",
        "name": _v(contract.name),
        "stage_development": _v(stage),
        "dates": {
            "start_date_of_service_provision": {
                "value": contract.start.isoformat(),
                "status": "PUBLIC",
            },
            "anticipated_end_date_of_service_provision": {
                "value": end.isoformat(),
                "status": "PUBLIC",
            },
        },
        "jurisdiction": {"jurisdiction": {"value": "GB", "status": "PUBLIC"}},
        "purpose_and_classifications": {
            "social_challenge": {
                "value": "Children at risk of entering care, or in care, whose placement or "
                "home is at risk of breaking down",
                "status": "PUBLIC",
            },
            "intervention": {"value": intervention(contract), "status": "PUBLIC"},
            "policy_sector": _v(POLICY_SECTOR),
        },
        "service_and_beneficiaries": {
            "targeted_number_service_users_or_beneficiaries_total": {
                "value": contract.minimum_referrals,
                "status": "PUBLIC",
            },
            "unit_type_targeted_service_users_or_beneficiaries": {
                "value": "Individual",
                "status": "PUBLIC",
            },
            "actual_number_service_users_or_beneficiaries_total": {
                **_count(shown["total"]),
                "status": "PUBLIC",
            },
            "unit_type_actual_service_users_or_beneficiaries": {
                "value": "Individual",
                "status": "PUBLIC",
            },
        },
        "overall_project_finance": {
            **(
                {
                    "maximum_potential_outcome_payment_v2": {
                        "currency": {"value": "GBP", "status": "PUBLIC"},
                        "amount": {"value": _num(cap), "status": "PUBLIC"},
                    }
                }
                if cap
                else {}
            ),
            "total_outcome_payments_made": {
                "currency": {"value": "GBP", "status": "PUBLIC"},
                "amount": {**_amount(shown_fin["outcome_payments"]), "status": "PUBLIC"},
            },
            "notes": f"Outcome payments earned to {as_of.isoformat()} by the outcomes engine"
            + (
                f", within each maximum outcome payment: {_num(earned.above_maximum)} more was "
                "earned above the maximum outcome payment and is not payable; "
                if earned.above_maximum
                else "; "
            )
            + "guaranteed-funding fees "
            + (
                ""
                if shown_fin["guaranteed_funding_payments"] == SUPPRESSED
                else f"({_num(earned.guaranteed_funding_payments)}) "
            )
            + "are not outcome payments and are not included."
            + (f" {money_note}" if paid_hidden else ""),
        },
        "id": project_id(contract),
        "organisations": [{"id": o["id"]} for o in indigo_organisations()],
        "service_provisions": (
            [
                {
                    "id": "provision-1",
                    "organisation_id": _v(org_id(contract.provider)),
                    "organisation_role_category": _v("For-profit"),
                    "intervention": _v(intervention(contract)),
                    "status": "PUBLIC",
                }
            ]
            if contract.provider
            else []
        ),
        "investments": (
            [
                {
                    "id": "investment-1",
                    "organisation_id": _v(org_id(contract.investor)),
                    "status": "PUBLIC",
                }
            ]
            if contract.investor
            else []
        ),
        "outcome_funds": [{"id": fund_id(f.name), "status": "PUBLIC"} for f in contract.funds],
        "delivery_locations": [
            {
                "location_name": _v(la.name),
                "location_country": _v("GB"),
                "adminstrative_geography_name": _v(la.name),
                "adminstrative_geography_code_type": _v("ONS"),
                "adminstrative_geography_code": _v(la.ons_code),
                "status": "PUBLIC",
            }
            for la in contract.local_authorities
            if la.ons_code
        ],
        "outcome_metrics": metrics,
        "outcome_pricings": pricings,
        "outcome_payment_commitments": commitments,
        "results": results,
        "outcome_payments": actual,
        "notes": {
            "value": f"Exported by STARS as of {as_of.isoformat()} ({STANDARD}).",
            "status": "PUBLIC",
        },
    }


def indigo_organisations() -> list[dict[str, Any]]:
    """INDIGO organisation records of the programme's parties named in the contract: the
    councils (outcome payers), the outcome funds, the provider and the investor."""
    contract = contract_current()
    orgs = [
        {
            "id": council_id(la.code),
            "status": "PUBLIC",
            "name": _v(la.name),
            "type": _v("Government body"),
            "country": _v("GB"),
            **({"org_ids": {"ons": _v(la.ons_code)}} if la.ons_code else {}),
        }
        for la in contract.local_authorities
    ]
    orgs += [
        {
            "id": fund_id(f.name),
            "status": "PUBLIC",
            "name": _v(f.name),
            "type": _v("Government body"),
            "country": _v("GB"),
        }
        for f in contract.funds
    ]
    for name, role in ((contract.provider, "Service provider"), (contract.investor, "Investor")):
        if not name:
            continue
        existing = next((o for o in orgs if o["id"] == org_id(name)), None)
        if existing is not None:  # one organisation in two roles
            existing["notes"] = f"{existing['notes']}; {role}"
            continue
        orgs.append(
            {
                "id": org_id(name),
                "status": "PUBLIC",
                "name": _v(name),
                "country": _v("GB"),
                "notes": role,
            }
        )
    return orgs


def write_indigo(*, out_dir: Any, as_of: dt.date) -> list[Any]:
    """Write ``project.json`` and ``organisations.json``; returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        out / "project.json": indigo_project(as_of=as_of),
        out / "organisations.json": indigo_organisations(),
    }
    for path, data in files.items():
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    record_access(user=None, action="export", object_type="indigo", detail=str(out))
    return list(files)


def _cohorts() -> dict[str, str]:
    return dict(Referral.objects.values_list("referral_id", "cohort"))


def _actual_payments(contract: Contract, as_of: dt.date) -> list[dict[str, Any]]:
    """The outcome payments of approved claims, per council, month and outcome metric (the
    referral's cohort): each claim's outcome payments split between the outcome funds (their
    recorded parts of the claim) and the council (the rest). Guaranteed-funding fees are not
    outcome payments and are left out."""
    outcome: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    children: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = ClaimLine.objects.filter(
        claim__status=ClaimStatus.APPROVED, claim__month__lte=as_of, component="outcome"
    ).values_list("claim_id", "referral__cohort", "referral_id", "amount")
    for claim_id, cohort, referral, amount in rows.iterator():
        outcome[(claim_id, cohort)] += amount
        if amount:
            children[(claim_id, cohort)].add(referral)
    parts: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for claim_id, name, amount in ClaimFund.objects.values_list("claim_id", "name", "amount"):
        parts[claim_id].append((name, amount))
    codes = [c.code for c in contract.cohorts]
    out = []
    claims = (
        OutcomeClaim.objects.filter(status=ClaimStatus.APPROVED, month__lte=as_of)
        .order_by("council__code", "month")
        .values_list("pk", "council__code", "month")
    )
    left_out = _left_out(outcome, children, claims)
    for pk, code, month in claims:
        period = {
            "start_date": _v(month.isoformat()),
            "end_date": _v((next_month(month) - dt.timedelta(days=1)).isoformat()),
        }
        by_metric = [outcome.get((pk, c), Decimal(0)) for c in codes]
        council_part = list(by_metric)
        payers: list[tuple[str, list[Decimal]]] = []
        for name, amount in parts.get(pk, []):
            split = allocate(amount, by_metric)
            council_part = [a - b for a, b in zip(council_part, split, strict=True)]
            payers.append((fund_id(name), split))
        payers.insert(0, (council_id(code), council_part))
        for payer, amounts in payers:
            for cohort, amount in zip(codes, amounts, strict=True):
                if amount == 0 or (pk, cohort) in left_out:
                    continue
                out.append(
                    {
                        "period": period,
                        "outcome_metric_id": _v(metric_id(cohort)),
                        "payer_organisation_id": _v(payer),
                        "type": _v("Actual"),
                        "money": {"currency": CURRENCY, "amount": _v(_num(amount))},
                        "status": "PUBLIC",
                        "notes": "Outcome payments of an approved monthly claim (adjustments "
                        "included; guaranteed-funding fees not included) met by this payer.",
                    }
                )
    return out


def _left_out(
    outcome: dict[tuple[int, str], Decimal],
    children: dict[tuple[int, str], set[int]],
    claims: Any,
) -> set[tuple[int, str]]:
    """The (claim, cohort) payments left out of the open data: those paying for 1 to 4
    children (the amount is their units times a price printed in the contract) and, council
    by council, another beside one alone left out, so that it is not the council's payments
    less those shown (``stars.domain.disclosure.suppress_amounts``)."""
    council_of = {pk: code for pk, code, _ in claims}
    by_council: dict[str, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    for key, amount in outcome.items():
        if key[0] in council_of and amount:
            by_council[council_of[key[0]]][key] = amount
    out: set[tuple[int, str]] = set()
    for amounts in by_council.values():
        small = [k for k in amounts if is_small(len(children[k]))]
        cells, _ = suppress_amounts(amounts, small)
        out |= {k for k, v in cells.items() if v == SUPPRESSED}
    return out


def metric_id(cohort: str) -> str:
    return f"cohort-{cohort.lower()}"
