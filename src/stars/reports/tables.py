"""The evaluation report as titled tables: one source for the page, the HTML file and XLSX."""

from __future__ import annotations

from typing import Any

from stars.core.tables import Table
from stars.core.templatetags.stars_format import count
from stars.domain.contract.terms import Contract
from stars.domain.disclosure import SUPPRESSED
from stars.domain.evaluation.report import ABOVE_MAXIMUM
from stars.domain.outcomes.claims import ABOVE_MAXIMUM_LABEL
from stars.domain.vocabulary import DECISIONS, STATUSES, label


def _shortfall(minimum: int, referred: int | str) -> int | str:
    """Referrals short of a minimum; hidden with a hidden count (the minimum less the
    shortfall would give it away)."""
    return SUPPRESSED if referred == SUPPRESSED else max(minimum - int(referred), 0)


def evaluation_tables(
    report: dict[str, Any], contract: Contract, councils: tuple[str, ...]
) -> list[Table]:
    enq, refs, cases, fin = (
        report["enquiries"],
        report["referrals"],
        report["cases"],
        report["finance"],
    )
    tables = []
    for key, title, first, source, names in (
        (
            "enquiries_by_cohort",
            "Enquiry decisions by cohort",
            "Cohort",
            enq["by_cohort"],
            {c: f"Cohort {c}" for c in contract.cohort_codes},
        ),
        (
            "enquiries_by_council",
            "Enquiry decisions by council",
            "Council",
            enq["by_local_authority"],
            {c: contract.local_authority(c).name for c in councils},
        ),
    ):
        rows = []
        for code, name in names.items():
            d = source.get(code, {})
            rows.append([name, d.get("total", 0), *[d.get(k, 0) for k in DECISIONS]])
        tables.append(Table(key, title, [first, "Total", *[label(k) for k in DECISIONS]], rows))

    tables.append(
        Table(
            "referrals_by_cohort",
            "Referrals against minimum targets, by cohort",
            ["Cohort", "Minimum", "Referrals", "Shortfall"],
            [
                [
                    f"{c.code}: {c.name}",
                    c.minimum_referrals,
                    refs["by_cohort"][c.code],
                    _shortfall(c.minimum_referrals, refs["by_cohort"][c.code]),
                ]
                for c in contract.cohorts
            ],
        )
    )
    tables.append(
        Table(
            "referrals_by_council",
            "Referrals against minimum targets, by council",
            ["Council", "Minimum", "Referrals", "Shortfall"],
            [
                [
                    contract.local_authority(c).name,
                    contract.local_authority(c).minimum_referrals,
                    refs["by_local_authority"][c],
                    _shortfall(
                        contract.local_authority(c).minimum_referrals,
                        refs["by_local_authority"][c],
                    ),
                ]
                for c in councils
            ],
        )
    )
    tables.append(
        Table(
            "referrals_by_year",
            "Referrals against minimum targets, by contract year",
            ["Contract year", "Minimum", "Referrals", "Shortfall"],
            [
                [
                    f"Year {y}",
                    contract.minimum_for_year(int(y)),
                    n,
                    _shortfall(contract.minimum_for_year(int(y)), n),
                ]
                for y, n in refs["by_contract_year"].items()
            ],
        )
    )
    tables.append(
        Table(
            "referrals_totals",
            "Referrals",
            ["Measure", "Count"],
            [
                ["Referrals", refs["total"]],
                ["of which re-referrals", refs["re_referrals"]],
                ["of which guaranteed funding", refs["guaranteed_funding"]],
            ],
        )
    )
    tables.append(
        Table(
            "case_status",
            "Case status",
            ["Status", "Cases"],
            [[label(s), cases["status"][s]] for s in STATUSES],
        )
    )
    tables.append(
        Table(
            "closure_reasons",
            "Reasons for closing early",
            ["Reason", "Cases"],
            [[label(r), n] for r, n in cases["closure_reasons"].items()],
        )
    )
    rate_rows = [["All", cases["closed_early_rate"]]]
    rate_rows += [[f"Cohort {c}", r] for c, r in cases["closed_early_rate_by_cohort"].items()]
    rate_rows += [
        [contract.local_authority(c).name, cases["closed_early_rate_by_local_authority"][c]]
        for c in councils
    ]
    tables.append(
        Table(
            "closed_early_rates",
            "Closed-early rate (closed early / all closed)",
            ["Group", "Closed-early rate"],
            rate_rows,
            rates={"Closed-early rate"},
        )
    )
    # outcome payments are what the contract pays; what was earned above a maximum outcome
    # payment is a column (a line) of its own, present when any was
    above = ABOVE_MAXIMUM in fin
    paid = "Outcome payments payable" if above else "Outcome payments"
    above_cols = [ABOVE_MAXIMUM_LABEL] if above else []
    tables.append(
        Table(
            "finance_by_cohort",
            "Savings and outcome payments by cohort",
            ["Cohort", "Sustained weeks", "Payable weeks", "Savings", paid, *above_cols],
            [
                [
                    f"{c.code} ({c.saving_kind})",
                    fin["by_cohort"][c.code]["sustained_weeks"],
                    fin["by_cohort"][c.code]["payable_weeks"],
                    fin["by_cohort"][c.code]["savings"],
                    fin["by_cohort"][c.code]["outcome_payments"],
                    *[fin["by_cohort"][c.code][ABOVE_MAXIMUM] for _ in above_cols],
                ]
                for c in contract.cohorts
            ],
            money={"Savings", paid, *above_cols},
        )
    )
    milestone_rows = [
        [
            f"{c.code}: {m.name}",
            m.continuous_weeks,
            m.payment,
            fin["by_cohort"][c.code]["milestones"][m.name],
        ]
        for c in contract.cohorts
        for m in c.milestones
        if "milestones" in fin["by_cohort"].get(c.code, {})
    ]
    if milestone_rows:
        tables.append(
            Table(
                "milestones",
                "Milestones earned (once per referral, by one unbroken run)",
                ["Milestone", "Continuous weeks", "Payment", "Referrals that earned it"],
                milestone_rows,
                money={"Payment"},
            )
        )
    money_cols = [
        "Cashable savings",
        "Cost avoidance",
        paid,
        *above_cols,
        "Guaranteed-funding payments",
        "Net cash saving",
    ]
    tables.append(
        Table(
            "finance_by_council",
            "Savings and payments by council",
            ["Council", "Sustained weeks", *money_cols],
            [
                [
                    contract.local_authority(c).name,
                    d["sustained_weeks"],
                    d["cashable_savings"],
                    d["cost_avoidance"],
                    d["outcome_payments"],
                    *[d[ABOVE_MAXIMUM] for _ in above_cols],
                    d["guaranteed_funding_payments"],
                    d["net_cash_saving"],
                ]
                for c in councils
                for d in [fin["by_local_authority"][c]]
            ],
            money=set(money_cols),
        )
    )
    totals = [
        ("Cashable savings", fin["cashable_savings"]),
        ("Cost avoidance", fin["cost_avoidance"]),
        (paid, fin["outcome_payments"]),
        *[(label, fin[ABOVE_MAXIMUM]) for label in above_cols],
        ("Guaranteed-funding payments", fin["guaranteed_funding_payments"]),
        ("Net cash saving", fin["net_cash_saving"]),
        *[(f"{name} contribution", amount) for name, amount in fin["outcome_funds"].items()],
        *(
            [("Outcome funds' contributions", fin["lcf_contribution"])]
            if len(fin["outcome_funds"]) > 1
            else []
        ),
        ("Council cost", fin["council_cost"]),
    ]
    tables.append(
        Table(
            "finance_totals",
            f"Programme totals ({count(fin['sustained_weeks'])} sustained weeks)",
            ["Measure", "Amount"],
            [[k, v] for k, v in totals],
            money={"Amount"},
        )
    )
    return tables
