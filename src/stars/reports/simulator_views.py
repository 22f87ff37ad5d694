"""The simulator page: the programme simulated to the contract's end, aggregate only.

A simulation starts only from the form's post (with its CSRF token): a GET never simulates
nor starts a job, so a link prefetched or preloaded by a browser, or followed by a crawler,
starts no work. A GET shows the form (filled in from its query, when the query holds valid
values), a job's progress or figures (``?job=``), or the workbook of a finished simulation
(``?job=ID&format=xlsx``, the results' download link), read from the job's kept result.
Every simulation posted is kept as a job's result: one whose pilot says it takes more than
a second runs as a background job (``stars.reports.tasks.simulate``), and the post is
answered with the job's page, which shows that it is running and loads itself again once
the job's figures are there; a shorter one is worked out at once, kept as a finished job
(``stars.jobs.results.job_done``) and answered with its figures.
"""

from __future__ import annotations

import datetime as dt
import time
from base64 import b64decode
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from stars.core.audit import record_access
from stars.core.dates import as_of as page_as_of
from stars.core.dates import date_refusal, dates_coarse, dates_refused
from stars.core.documents import download, report_name
from stars.core.forms import DateInput, GovukForm, number_field
from stars.core.permissions import page, scope_of
from stars.core.programmes import programme_active
from stars.domain.calendar import long_date
from stars.domain.contract.terms import Contract
from stars.domain.disclosure import AS_OF, BOUND_RULES, coarse_date
from stars.domain.simulation.fit import fit
from stars.domain.simulation.montecarlo import contract_end
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.whatif import WhatIfError, apply, examples
from stars.jobs.results import job_done
from stars.partnership.context import date_choices
from stars.partnership.selectors import contract_current
from stars.reports.simulation import payload_tables
from stars.reports.tasks import simulate, simulation_page
from stars.tracker.selectors import report_frames

PAGE_MAX_RUNS = 20_000
PILOT_RUNS = 100
INLINE_SECONDS = 1.0


class SimulatorForm(GovukForm):
    as_of = forms.DateField(
        label="Records as of",
        widget=DateInput(),
        help_text="What the records show up to this day is fixed; everything after it is drawn",
    )
    to = forms.DateField(
        label="Simulate to",
        widget=DateInput(),
        required=False,
        help_text="Leave blank for the end of the contract",
    )
    runs = number_field("Runs", "1 to 20,000", min_value=1, max_value=PAGE_MAX_RUNS, example=1000)
    seed = number_field("Seed", "The same seed gives the same figures", min_value=0, example=42)
    settings = forms.CharField(
        label="What-if changes (optional)",
        widget=forms.Textarea,
        required=False,
        help_text="One change a line, shown beside the baseline",
    )

    def __init__(
        self,
        *args: Any,
        contract: Contract,
        as_of_choices: list[tuple[dt.date, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        hint = self.fields["settings"].help_text
        self.fields["settings"].help_text = f"{hint}: {examples(contract)}"
        if as_of_choices is not None:  # figures only: a quarter's end from the list
            typed = self.fields["as_of"]
            self.fields["as_of"] = forms.TypedChoiceField(
                label=typed.label,
                help_text=typed.help_text,
                choices=[(day.isoformat(), text) for day, text in as_of_choices],
                coerce=dt.date.fromisoformat,
                error_messages={
                    "invalid_choice": f"Select records as of from the list: it must be "
                    f"{BOUND_RULES[AS_OF]}, since figures only are shown for whole quarters"
                },
            )

    def lines(self) -> list[str]:
        return [x.strip() for x in self.cleaned_data.get("settings", "").splitlines() if x.strip()]

    def params(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "as_of": d["as_of"].isoformat(),
            "to": d["to"].isoformat() if d.get("to") else None,
            "runs": d["runs"],
            "seed": d["seed"],
            "settings": self.lines(),
        }


def _check(form: SimulatorForm) -> None:
    """Field errors the simulation would raise: a what-if it cannot apply, a bad end date."""
    contract = contract_current()
    d = form.cleaned_data
    if d.get("to") and d["to"] <= d["as_of"]:
        form.add_error("to", "Simulate to must be after the records' date")
    end = d.get("to") or contract_end(contract)
    if d["as_of"] >= end and not d.get("to"):
        form.add_error("as_of", f"Records as of must be before the contract's end, {end:%-d %B %Y}")
    if form.lines():
        records = records_as_of(*report_frames(None), d["as_of"])
        try:
            apply(contract, fit(contract, records), form.lines())
        except WhatIfError as exc:
            form.add_error("settings", str(exc))


def _page_context(request: HttpRequest) -> dict[str, Any]:
    """What every state of the page shows: the contract, its end, and whose records the
    figures are of (the councils in the user's view by name; blank for the whole
    programme)."""
    contract = contract_current()
    in_view = scope_of(request.user).councils_in_view
    names = (
        ""
        if in_view is None
        else " and ".join(la.name for la in contract.local_authorities if la.code in in_view)
    )
    return {"contract": contract, "end": contract_end(contract), "councils_named": names}


@page("simulator")
def simulator(request: HttpRequest) -> HttpResponse:
    context = _page_context(request)
    if request.method == "POST":
        if "check" in request.POST:
            return _check_history(request)
        return _simulate(request, context)
    job = request.GET.get("job", "")
    if request.GET.get("format") == "xlsx":
        return _workbook(request, job, context)
    if job:
        return _job(request, job, context)
    return render(request, "reports/simulator.html", {**context, "form": _blank(request, context)})


def _form(request: HttpRequest, data: Any = None, **kwargs: Any) -> SimulatorForm:
    """The simulator's form; for a user who sees figures only, "Records as of" is a list of
    the quarters' ends they may ask for (``stars.core.dates``), as every other date field."""
    offered = date_choices(request).get(f"date_choices_{AS_OF}")
    contract = contract_current()
    end = contract_end(contract)
    days = [(day, text) for day, text in offered() if day < end] if offered else None
    return SimulatorForm(data, contract=contract, as_of_choices=days, **kwargs)


def _blank(request: HttpRequest, context: dict[str, Any]) -> SimulatorForm:
    """The form to fill in: the query's values when they are valid (a link to a
    simulation), else a date it accepts (before the end), 2,000 runs and seed 1."""
    asked = _form(request, request.GET)
    if "as_of" in request.GET and asked.is_valid():
        return _form(request, initial={**asked.params(), "settings": "\n".join(asked.lines())})
    day = min(page_as_of(request, target="id_as_of"), context["end"] - dt.timedelta(days=1))
    if dates_coarse(request):  # figures only: the last quarter ended before the end
        day = coarse_date(day, AS_OF, timezone.localdate())
    return _form(request, initial={"as_of": day, "runs": 2000, "seed": 1})


def _checked(request: HttpRequest, data: Any) -> SimulatorForm:
    form = _form(request, data)
    if form.is_valid():
        _check(form)
    if form.is_valid() and (refused := date_refusal(request, form.cleaned_data["as_of"], AS_OF)):
        form.add_error("as_of", refused)  # figures only: records as of a quarter's end
    return form


def _simulate(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The form posted: its figures, kept as a finished job's, or the page of the
    background job it started."""
    form = _checked(request, request.POST)
    if not form.is_valid():
        return render(request, "reports/simulator.html", {**context, "form": form}, status=400)
    params = {**form.params(), **_worked_for(request)}
    small = params["runs"] <= PILOT_RUNS
    started = time.perf_counter()
    pilot = simulation_page({**params, "runs": min(params["runs"], PILOT_RUNS)}, workbook=small)
    took = time.perf_counter() - started
    if small:
        payload = pilot
    elif took * params["runs"] / PILOT_RUNS <= INLINE_SECONDS:
        payload = simulation_page(params)
    else:
        result = simulate.enqueue(params)
        return redirect(f"{request.path}?job={result.id}")
    return _show(request, form, payload, context, job=job_done(simulate, params, payload))


def _workbook(request: HttpRequest, job: str, context: dict[str, Any]) -> HttpResponse:
    """The XLSX workbook of a finished simulation (``?job=ID&format=xlsx``, its results'
    download link), read from the job's kept result: nothing is worked out. Without a
    finished simulation at the address (no job, one still running or failed, or of other
    councils), a 404 page that says so, with the form to simulate (the query's values)."""
    result = _found(request, job)  # None for another user's: the page says nothing of it
    done = result is not None and result.status == TaskResultStatus.SUCCESSFUL
    payload = result.return_value if result is not None and done else {}
    if not payload.get("xlsx"):
        running = result is not None and not result.is_finished
        return render(
            request,
            "reports/simulator.html",
            {
                **context,
                "form": _blank(request, context),
                "no_workbook": True,
                "running_job": job if running else "",
            },
            status=404,
        )
    record_access(
        user=request.user,
        action="export",
        object_type="report",
        object_id="simulation",
        path=request.get_full_path(),
    )
    as_of = dt.date.fromisoformat(payload["as_of"])
    return download("xlsx", report_name("simulation", as_of), b64decode(payload["xlsx"]))


def _worked_for(request: HttpRequest) -> dict[str, Any]:
    """What a simulation is worked out for: the programme worked in and the councils in
    the user's view. A job's figures are shown only to users with the same."""
    active = programme_active()
    return {
        "councils": scope_of(request.user).councils_in_view,
        "programme": active.code if active else None,
    }


def _check_history(request: HttpRequest) -> HttpResponse:
    """The simulator against the records' own history, as a background job (posted)."""
    day = page_as_of(request, posted=True)
    if dates_refused(request):  # figures only: whole quarters, and nothing started
        form = _form(request, initial={"as_of": day, "runs": 2000, "seed": 1})
        context = _page_context(request)
        return render(request, "reports/simulator.html", {**context, "form": form}, status=400)
    result = simulate.enqueue(
        {"kind": "calibration", "as_of": day.isoformat(), **_worked_for(request)}
    )
    return redirect(f"{request.path}?job={result.id}")


def _show(
    request: HttpRequest,
    form: SimulatorForm,
    payload: dict[str, Any],
    context: dict[str, Any],
    job: str,
) -> HttpResponse:
    return render(
        request,
        "reports/simulator.html",
        {
            **context,
            "form": form,
            "payload": payload,
            "tables": {t.key: t for t in payload_tables(payload)},
            "charts": payload["charts"],
            "as_of_text": _long(payload.get("as_of")),
            "to_text": _long(payload.get("to")),
            "download": f"?job={job}&format=xlsx" if payload.get("xlsx") else "",
        },
    )


def _long(iso: str | None) -> str:
    """A payload's ISO date as GOV.UK writes it (1 October 2024)."""
    return long_date(dt.date.fromisoformat(iso)) if iso else ""


def _found(request: HttpRequest, job: str) -> TaskResult[Any, Any] | None:
    """The simulation job ``job``, when it was worked out for what the user has in view;
    None for a made-up id, and for another programme's or other councils' figures."""
    try:
        result = simulate.get_result(job)
    except (TaskResultDoesNotExist, ValidationError, ValueError):  # a made-up id
        return None
    params = dict(result.args[0]) if result.args else {}
    if any(params.get(k) != v for k, v in _worked_for(request).items()):
        return None
    return result


def _job(request: HttpRequest, job: str, context: dict[str, Any]) -> HttpResponse:
    result = _found(request, job)
    if result is None:
        raise Http404("no such simulation")
    params = dict(result.args[0]) if result.args else {}
    form = _form(
        request,
        initial={
            "runs": 2000,
            "seed": 1,
            **params,
            "settings": "\n".join(params.get("settings", [])),
        },
    )
    if result.status == TaskResultStatus.SUCCESSFUL:
        return _show(request, form, result.return_value, context, job=job)
    failed = result.status == TaskResultStatus.FAILED
    return render(
        request,
        "reports/simulator.html",
        {**context, "form": form, "running": not failed, "failed": failed, "params": params},
    )
