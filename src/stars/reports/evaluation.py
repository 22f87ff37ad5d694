"""The evaluation report (docs/tracker-format.md) computed from the database, as data or JSON.

Its home apart from ``stars.reports.services`` (which renders it as a page, a workbook or an
HTML file with charts) keeps `stars report evaluation --format json` from loading the chart
and spreadsheet libraries it does not use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stars.core.permissions import Scope
from stars.domain.evaluation.report import empty_report, evaluation_report, report_to_json
from stars.finance.engine_bridge import programme_money_for, published_evaluation_for
from stars.partnership.selectors import contract_current, contract_or_none
from stars.tracker.selectors import report_inputs


def evaluation_for(
    *, scope: Scope | None, as_of: dt.date, arrow: bool = False, published: bool = False
) -> dict[str, Any]:
    """The evaluation report (docs/tracker-format.md) of the records in ``scope``, as of a date.

    Council users get the report of their own council's records; the keys of the other
    councils stay present (with zeros), as the report contract requires. Their outcome
    payments are what the contract pays them within each maximum outcome payment, every
    council's counting against the contract's. ``arrow``: see
    ``stars.tracker.selectors.report_frames`` (a command alone in its process).
    ``published``: counts as a role that sees figures only is given them, quarter after
    quarter from the programme's first (``stars.finance.engine_bridge.published_evaluation_for``).
    """
    if published:
        return published_evaluation_for(scope, as_of)[-1][1]
    enquiries, referrals, periods = report_inputs(scope, as_of, arrow=arrow)
    contract = contract_current()
    programme = programme_money_for(contract, scope, as_of)  # for the contract's maximum
    return evaluation_report(contract, enquiries, referrals, periods, as_of, programme=programme)


def evaluation_json(
    *, scope: Scope | None, as_of: dt.date, arrow: bool = False, published: bool = False
) -> str:
    return report_to_json(
        evaluation_for(scope=scope, as_of=as_of, arrow=arrow, published=published)
    )


def programme_evaluation_json(*, as_of: dt.date, arrow: bool = False) -> str:
    """The whole programme's report as JSON; with no contract loaded (nothing imported),
    the report of nothing: zeros, empty maps."""
    if contract_or_none() is None:
        return report_to_json(empty_report(as_of))
    return evaluation_json(scope=None, as_of=as_of, arrow=arrow)
