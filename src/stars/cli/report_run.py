"""What the `stars report` commands do, once Django is set up (imported only after
:func:`stars.cli.console.setup`, so models and services are imported at module level).

Apart from ``stars.cli.run`` so that `stars report evaluation --format json`, timed as a whole
process against the row-by-row reference (benchmarks/README.md), loads none of the other
commands' modules (the web server, the job worker, the email client, backups); the
documents' chart, spreadsheet and PDF libraries wait for the formats that use them.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from stars.cli.console import fail
from stars.cli.programme import within
from stars.core.audit import record_access
from stars.domain.calendar import Quarter, quarters_reported
from stars.partnership.selectors import contract_or_none
from stars.reports.evaluation import programme_evaluation_json


def report_evaluation(
    *, day: dt.date, fmt: str, out_file: Path | None, programme: str | None = None
) -> None:
    within(programme)
    if fmt not in ("json", "xlsx", "html"):
        fail(f"--format {fmt!r}: expected json, xlsx or html")
    if out_file is None and fmt == "xlsx":
        fail("an XLSX workbook needs --out FILE")
    if fmt == "json":
        data: str | bytes = programme_evaluation_json(as_of=day, arrow=True)
    else:
        from stars.reports.services import evaluation_document

        data = evaluation_document(fmt=fmt, as_of=day)
    record_access(
        user=None,
        action="export",
        object_type="report",
        object_id="evaluation",
        detail=f"stars report evaluation --as-of {day} ({fmt})",
    )
    if out_file is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        sys.stdout.write("\n")
        return
    if isinstance(data, str):
        out_file.write_text(data, encoding="utf-8")
    else:
        out_file.write_bytes(data)
    click.echo(f"wrote {out_file}")


def report_board(
    *, quarter: Quarter, fmt: str, out_file: Path | None, programme: str | None = None
) -> None:
    within(programme)
    from stars.reports.card import card_context, card_html, card_pdf, card_xlsx

    contract = contract_or_none()
    if contract is None:
        fail("no contract is loaded: import a tracker first")
    quarters = quarters_reported(contract.start, dt.date.today())
    if quarter not in quarters:  # as the page refuses it
        span = f"{quarters[-1].label} to {quarters[0].label}" if quarters else "none ended yet"
        fail(f"--quarter {quarter.label!r} is outside the programme ({span})")
    context = card_context(scope=None, quarter=quarter, suppressed=False)
    target = out_file or Path(f"board-report-card-{quarter.label.replace(' ', '-')}.{fmt}")
    if fmt == "html":
        target.write_text(card_html(context), encoding="utf-8")
    else:
        target.write_bytes(card_pdf(context) if fmt == "pdf" else card_xlsx(context))
    record_access(
        user=None,
        action="export",
        object_type="report",
        object_id=f"board {quarter.label}",
        detail=f"stars report board ({fmt}) to {target}",
    )
    click.echo(f"wrote {target}")
