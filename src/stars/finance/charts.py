"""The finance charts (Altair to SVG through ``stars.core.charts``)."""

from __future__ import annotations

from collections.abc import Sequence

from stars.core import charts
from stars.domain.money import pence
from stars.finance.figures import MoneyRow


def cumulative_chart(rows: Sequence[MoneyRow]) -> str:
    """Cumulative payments, council cost (after the outcome funds: the tables beside name
    them; a legend cuts a long label short) and cashable savings over time."""
    data = []
    for r in rows:
        for label, value in (
            ("Paid (outcomes and fees)", r.paid),
            ("Council cost", r.council_cost),
            ("Cashable savings", r.cashable_savings),
        ):
            day = r.on.isoformat() if r.on else r.label  # a date the time axis places
            data.append({"as of": day, "measure": label, "pounds": float(pence(value))})
    if not data:
        return ""
    return charts.line(
        data,
        x="as of",
        y="pounds",
        color="measure",
        temporal=True,
        title="Cumulative money over time",
        x_title="As of",
        y_title="£",
    )
