"""Claim documents (XLSX, PDF, CSV) and the evaluator's extract (CSV, XLSX).

Amounts are whole pence (docs/decisions/0017); a CSV amount is written in full (two decimals
when that is exact, as it is for every claim prepared since), so a finance system that adds
the lines gets the claim's total to the penny.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from stars.core.documents import pdf
from stars.core.spreadsheets import xlsx
from stars.domain.calendar import month_label
from stars.domain.money import funds_named
from stars.domain.spreadsheet_text import csv_bytes
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.finance.selectors import claim_lines_of, claim_totals_of, line_names

PENNY = Decimal("0.01")
LINE_HEADERS = [
    "line",
    "referral_id",
    "child_ref",
    "cohort",
    "kind",
    "component",
    "payable_weeks",
    "weekly_rate",
    "amount",
    "disputed",
    "dispute_reason",
    "rule",
]
CSV_HEADERS = ["council", "month", "status", *LINE_HEADERS]


def plain(amount: Decimal) -> str:
    """An exact amount as text: two decimals when that is exact, every decimal otherwise."""
    if amount == amount.quantize(PENNY):
        return f"{amount.quantize(PENNY):f}"
    return f"{amount.normalize():f}"


def _line_row(line: ClaimLine, money: Any) -> list[Any]:
    rate = line.rate_shown  # blank for a line not paid by the week, as on the page
    return [
        line.pk,
        *line_names(line),
        line.referral.cohort,
        line.kind,
        line.component,
        line.weeks_shown,
        None if rate is None else money(rate),
        money(line.amount),
        "yes" if line.disputed else "no",
        line.dispute_reason,
        line.rule,
    ]


def claim_summary(claim: OutcomeClaim) -> list[tuple[str, Any]]:
    t = claim_totals_of(claim)
    after = funds_named([f.name for f in t.funds])
    return [
        ("Council", claim.council.name),
        ("Month", month_label(claim.month)),
        ("Status", claim.get_status_display()),
        ("Contract", claim.contract_name),
        ("Outcome payments", t.outcome_payments),
        *(
            [("Over the maximum outcome payment: not payable (net)", t.held_back)]
            if t.held_back
            else []
        ),
        ("Guaranteed-funding fees", t.guaranteed_fees),
        ("Of which adjustments", t.adjustments),
        ("Total claimed", t.total),
        *[(f"{f.name} share", f.amount) for f in t.funds],
        (f"Council cost after the {after}", t.council_cost),
    ]


def claim_csv(claim: OutcomeClaim, *, viewer: Any) -> bytes:
    rows = [
        [claim.council.code, claim.month_key, claim.status, *_line_row(line, plain)]
        for line in claim_lines_of(claim, viewer=viewer)
    ]
    return csv_bytes(CSV_HEADERS, rows)


def claim_xlsx(claim: OutcomeClaim, *, viewer: Any) -> bytes:
    lines = [_line_row(line, lambda d: d) for line in claim_lines_of(claim, viewer=viewer)]
    return xlsx(
        {
            "Claim": (["Item", "Value"], [list(r) for r in claim_summary(claim)]),
            "Lines": (LINE_HEADERS, lines),
        },
        money_columns={"Claim": {"Value"}, "Lines": {"weekly_rate", "amount"}},
    )


def claim_pdf(claim: OutcomeClaim, *, viewer: Any) -> bytes:
    html = render_to_string(
        "finance/claim_pdf.html",
        {
            "claim": claim,
            "summary": claim_summary(claim),
            "lines": claim_lines_of(claim, viewer=viewer),
            "totals": claim_totals_of(claim),
        },
    )
    return pdf(html)
