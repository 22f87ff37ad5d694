"""The money and investor pages' figures, cached per version of the records.

One function per page, used by the page and by the warming of the figures after a change
(``stars.web.warm``), so both read and fill the same cache entries (``stars.core.cache``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings

from stars.core.permissions import Scope
from stars.core.spreadsheets import xlsx
from stars.domain.contract.terms import Contract
from stars.domain.spreadsheet_text import csv_bytes
from stars.finance import figures
from stars.finance.charts import cumulative_chart
from stars.tracker.selectors import programme_figures


def money_page_figures(contract: Contract, scope: Scope | None, as_of: dt.date) -> dict[str, Any]:
    """The money page's engine figures for ``scope``: the programme's position against the
    maximum payment ("cap", for a scope of the whole programme only: it adds up every
    council's payments, which a council's users do not see; their own maximum is in the
    headroom table) and the scope's money by council, cohort and month, with its chart."""

    def overview() -> dict[str, Any]:
        money = figures.money_overview(contract, scope, as_of)
        return {**money, "chart": cumulative_chart(money["by_month"])}

    return {
        "cap": programme_figures(
            "cap_position", None, (as_of,), lambda: figures.cap_position(contract, as_of)
        )
        if scope is None or scope.programme_wide
        else None,
        **programme_figures("money_overview", scope, (as_of,), overview),
    }


def investor_page_figures(contract: Contract, as_of: dt.date) -> dict[str, Any]:
    """The investor page's figures (the whole programme, aggregate only)."""
    return programme_figures(
        "investor_overview", None, (as_of,), lambda: figures.investor_overview(contract, as_of)
    )


def evaluator_extract(
    contract: Contract, scope: Scope | None, as_of: dt.date, *, recipient: str, fmt: str
) -> tuple[int, bytes]:
    """The evaluator's extract for ``recipient`` as a ``fmt`` file (``csv`` or ``xlsx``) and
    its number of rows, built once per version of the records, scope, date, recipient and
    pseudonym key: a second download of the same data is read, not worked out again."""

    def build() -> tuple[int, bytes]:
        rows = figures.evaluator_rows(contract, scope, as_of, recipient=recipient)
        headers = figures.EXTRACT_COLUMNS
        body = csv_bytes(headers, rows) if fmt == "csv" else xlsx({"Referrals": (headers, rows)})
        return len(rows), body

    # the key's digest, not the key: a new key gives new pseudonyms, never the old file
    key_id = hashlib.sha256(settings.STARS_PSEUDONYM_KEY.encode()).hexdigest()[:16]
    # named for its encoding too: a shared cache may still hold files written before CSV
    # files carried a byte-order mark (docs/decisions/0011-csv-files-excel-reads.md)
    name = "evaluator_extract_utf8_sig"
    return programme_figures(name, scope, (as_of, recipient, fmt, key_id), build)
