"""Background jobs of the reports: a simulation too long to wait for on a page."""

from __future__ import annotations

import datetime as dt
from base64 import b64encode
from typing import Any

from django_tasks import task

from stars.core.programmes import programme_use
from stars.partnership.selectors import programme_choose
from stars.reports.simulation import (
    calibration_payload,
    page_payload,
    simulation_for,
    simulation_xlsx,
)


def simulation_page(params: dict[str, Any], *, workbook: bool = True) -> dict[str, Any]:
    """The simulator page's payload for the page's parameters (JSON in, JSON out), in the
    programme they name (``programme``: its code; the page's programme); with ``workbook``,
    the simulation's XLSX workbook too (``xlsx``, base64), which the page's download serves
    from the kept result, never working the simulation out again."""
    with programme_use(programme_choose(params.get("programme"))):
        return _simulation_page(params, workbook)


def _simulation_page(params: dict[str, Any], workbook: bool) -> dict[str, Any]:
    as_of = dt.date.fromisoformat(params["as_of"])
    to = dt.date.fromisoformat(params["to"]) if params.get("to") else None
    sim = simulation_for(
        as_of=as_of,
        to=to,
        runs=int(params["runs"]),
        seed=int(params["seed"]),
        settings=tuple(params.get("settings", ())),
        yearly=True,
        councils=params.get("councils"),
    )
    payload = page_payload(sim, suppressed=True)
    if workbook:
        payload["xlsx"] = b64encode(simulation_xlsx(sim)).decode("ascii")
    return payload


@task()
def simulate(params: dict[str, Any]) -> dict[str, Any]:
    """The simulator page's payload, computed by a worker: a simulation, or the check of
    the simulator against the records' own history (``kind`` = ``calibration``)."""
    if params.get("kind") == "calibration":
        with programme_use(programme_choose(params.get("programme"))):
            return calibration_payload(
                as_of=dt.date.fromisoformat(params["as_of"]), councils=params.get("councils")
            )
    return simulation_page(params)
