"""Case pages: the referral record (its outcome periods and the engine's explanation), the
case record and its forms. Views stay thin: scope through the selectors, writes through
the services. (The caseload and the outcomes report are in ``report_views``.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse

from stars.cases import chronology, forms, record, services
from stars.cases.explain import explanation_for
from stars.cases.models import Respondent
from stars.cases.selectors import case_get, case_record, instruments, key_worker_loads
from stars.core.audit import record_access
from stars.core.dates import address_date
from stars.core.documents import download, pdf
from stars.core.forms import form_step, shown_as_typed, switched_to
from stars.core.permissions import allowed, page, scope_of
from stars.domain import vocabulary
from stars.domain.calendar import long_date
from stars.domain.measures import meetings_rule
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral
from stars.referrals.selectors import referral_get
from stars.referrals.services import referral_allocate

CASE_ACTIONS = [
    ("case_allocate", "Allocate or reallocate the key worker"),
    ("case_phase", "Change phase"),
    ("case_team", "Add a team member"),
    ("case_meeting", "Record a progress meeting"),
    ("case_actions", "Mark actions done"),
    ("case_intervention", "Record an intervention"),
    ("case_period", "Record an outcome period"),
    ("case_period_end", "End the placement (breakdown or move)"),
    ("case_period_correct", "Correct an outcome period"),
    ("case_attendance", "Record a term's attendance"),
    ("case_assessment", "Record an assessment"),
    ("case_measure", "Record an event"),
    ("case_survey", "Record a closing survey"),
    ("case_close", "Close the case"),
    ("case_move_cohort", "Move to another cohort"),
]


def _case_form(
    request: HttpRequest,
    referral: Referral,
    form: Any,
    heading: str,
    run: Callable[[dict[str, Any]], Any],
    submit: str,
    intro: str = "",
    links: list[tuple[str, str]] | None = None,
    done: Callable[[Any], tuple[str, str]] | None = None,
    **switching: Any,
) -> HttpResponse:
    """A step of the case record: saved, it returns to the case page. ``switching`` gives
    the buttons that show the form for another choice, keeping what was typed (``switches``:
    (value, label) pairs, ``switch_heading``, and ``carried``: (name, value) of fields typed
    for another choice, kept on the page for a switch back)."""
    record_access(  # every case form shows the case it changes
        user=request.user,
        action="view",
        object_type="case",
        object_id=referral.referral_id,
        path=request.path,
    )
    back = reverse("case_detail", args=[referral.referral_id])
    return form_step(
        request,
        form,
        run,
        done=done or (lambda _: (f"{heading}: saved", back)),
        template="cases/form_page.html",
        links=links or [],
        heading=heading,
        caption=f"Case {referral.referral_id}",
        submit=submit,
        intro=intro,
        back=back,
        **switching,
    )


# -- the case record ------------------------------------------------------------------------


@page("referral_detail")
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(request.user, referral_id)
    record_access(
        user=request.user,
        action="view",
        object_type="referral",
        object_id=referral.referral_id,
        path=request.path,
    )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "periods": referral.periods.all(),
            "scope": scope_of(request.user),
            "explanation": explanation_for(referral),
            "can_rerefer": allowed(request.user, "referral_rerefer"),
        },
    )


@page("case_detail")
def case_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = case_get(request.user, referral_id)
    record_access(
        user=request.user,
        action="view",
        object_type="case",
        object_id=referral.referral_id,
        path=request.path,
    )
    context = case_record(referral)
    context.update(
        referral=referral,
        scope=scope_of(request.user),
        explanation=explanation_for(referral),
        actions=[
            (reverse(name, args=[referral.referral_id]), label)
            for name, label in CASE_ACTIONS
            if allowed(request.user, name)
        ],
    )
    return render(request, "cases/case_detail.html", context)


@page("case_allocate")
def case_allocate(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    loads = key_worker_loads(request.user)
    choices = [
        (str(u.pk), f"{u.get_full_name() or u.username} ({n} live case{'' if n == 1 else 's'})")
        for u, n in loads
    ]
    form = forms.AllocateForm(request.POST or None, key_workers=choices)
    now = r.key_worker.get_full_name() or r.key_worker.username if r.key_worker else ""
    return _case_form(
        request,
        r,
        form,
        "Allocate or reallocate the key worker",
        lambda d: referral_allocate(
            referral=r,
            key_worker=next(u for u, _ in loads if str(u.pk) == d["key_worker"]),
            by=request.user,
            reason=d["reason"],
        ),
        "Save the allocation",
        intro=(f"Now allocated to {now}." if now else "The case has no key worker yet.")
        + " Each key worker is shown with their live cases. The change, who made it and why "
        "are kept on the case's chronology.",
        done=lambda ref: (
            f"Case {ref.referral_id} allocated to "
            f"{ref.key_worker.get_full_name() or ref.key_worker.username}",
            reverse("case_detail", args=[ref.referral_id]),
        ),
    )


@page("case_phase")
def case_phase(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.PhaseForm(request.POST or None)
    return _case_form(
        request,
        r,
        form,
        "Change phase",
        lambda d: record.phase_change(referral=r, phase=d["phase"], on=d["start_date"]),
        "Save the phase",
    )


@page("case_team")
def case_team(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.TeamMemberForm(request.POST or None)
    return _case_form(
        request,
        r,
        form,
        "Add a team member",
        lambda d: record.team_member_add(
            referral=r, role=d["role"], name=d["name"], on=d["added_on"]
        ),
        "Add to the team",
    )


@page("case_meeting")
def case_meeting(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.MeetingForm(request.POST or None)
    contract = contract_current()
    return _case_form(
        request,
        r,
        form,
        "Record a progress meeting",
        lambda d: record.meeting_record(
            referral=r,
            on=d["date"],
            attendees=d["attendees"],
            notes=d["notes"],
            actions=form.actions(),
        ),
        "Record the meeting",
        intro=meetings_rule(contract.progress_meeting_chair, contract.progress_meeting_every_weeks),
    )


@page("case_actions")
def case_actions(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    open_actions = [a for row in case_record(r)["meetings"] for a in row["meeting"].actions.all()]
    choices = [
        (str(a.pk), f"{a.action} ({a.owner}, due {long_date(a.due_date)})")
        for a in open_actions
        if not a.done
    ]
    form = forms.ActionsDoneForm(request.POST or None, choices=choices)
    return _case_form(
        request,
        r,
        form,
        "Mark actions done",
        lambda d: record.meeting_actions_done(
            referral=r, action_ids=[int(x) for x in d["actions"]]
        ),
        "Mark as done",
        intro="" if choices else "No open actions on this case.",
    )


@page("case_intervention")
def case_intervention(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.InterventionForm(request.POST or None, choices=contract_current().interventions)
    return _case_form(
        request,
        r,
        form,
        "Record an intervention",
        lambda d: record.intervention_record(referral=r, **d),
        "Record the intervention",
    )


@page("case_period")
def case_period(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.PeriodForm(request.POST or None)
    return _case_form(
        request,
        r,
        form,
        "Record an outcome period",
        lambda d: services.outcome_period_record(referral=r, **d),
        "Record the period",
        intro="A period the placement (or home) was sustained. Periods may not overlap.",
    )


@page("case_period_end")
def case_period_end(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    place = services.place_of(r)
    form = forms.PeriodEndForm(request.POST or None, place=place)
    return _case_form(
        request,
        r,
        form,
        "End the placement",
        lambda d: services.outcome_period_end(referral=r, **d),
        "End the placement",
        intro=f"A breakdown ends the outcome period. A move to another {place} ends "
        "it and starts a new one; the case stays open. To close the case, use Close the case.",
    )


@page("case_period_correct")
def case_period_correct(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    periods = list(r.periods.order_by("start_date"))
    chosen = next((p for p in periods if str(p.pk) == request.GET.get("period", "")), None)
    chosen = chosen or (periods[-1] if periods else None)
    if chosen is None:
        record_access(
            user=request.user,
            action="view",
            object_type="case",
            object_id=r.referral_id,
            path=request.path,
        )
        return render(
            request,
            "cases/message.html",
            {
                "heading": "Correct an outcome period",
                "message": "No outcome period is recorded on this case yet.",
            },
        )
    initial = {"start_date": chosen.start_date, "end_date": chosen.end_date, "note": chosen.note}
    form = forms.PeriodCorrectForm(request.POST or None, initial=initial)
    until = f"to {long_date(chosen.end_date)}" if chosen.end_date else "(continuing)"
    return _case_form(
        request,
        r,
        form,
        f"Correct the outcome period from {long_date(chosen.start_date)} {until}",
        lambda d: services.outcome_period_correct(
            referral=r, period_id=chosen.pk, by=request.user, **d
        ),
        "Save the correction",
        intro="Correct the dates or the note as they should have been recorded; the same "
        "rules apply as when recording a period. Claims already made stay as they are: the "
        "difference is claimed, or given back, as an adjustment on the council's next claim.",
        links=[
            (f"?period={p.pk}", f"Correct the period from {long_date(p.start_date)} instead")
            for p in periods
            if p != chosen
        ],
        done=lambda p: (
            f"Outcome period corrected: from {long_date(p.start_date)} "
            + (f"to {long_date(p.end_date)}" if p.end_date else "(continuing)"),
            reverse("case_detail", args=[r.referral_id]) + "#periods",
        ),
    )


@page("case_attendance")
def case_attendance(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.AttendanceForm(request.POST or None)
    return _case_form(
        request,
        r,
        form,
        "Record a term's attendance",
        lambda d: record.attendance_record(
            referral=r,
            term=d["term"],
            start_date=d["start_date"],
            possible=d["possible_sessions"],
            attended=d["attended_sessions"],
        ),
        "Record the attendance",
        intro="In sessions: a session is half a day.",
    )


@page("case_assessment")
def case_assessment(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    available = list(instruments())
    switch = switched_to(request)
    wanted = switch or request.POST.get("instrument") or request.GET.get("instrument", "")
    chosen = next(
        (i for i in available if str(i.pk) == wanted),
        available[0] if available else None,
    )
    if chosen is None:
        return render(
            request,
            "cases/message.html",
            {"heading": "Record an assessment", "message": "No instrument is configured yet."},
        )
    form = forms.AssessmentForm(None if switch else (request.POST or None), instrument=chosen)
    if switch:
        shown_as_typed(form, request.POST)
    others = [(str(i.pk), f"Use the {i.name} instead") for i in available if i != chosen]
    return _case_form(
        request,
        r,
        form,
        f"Record an assessment: {chosen.name}",
        lambda d: record.assessment_record(
            referral=r, instrument=chosen, on=d["date"], scores=form.scores()
        ),
        "Record the assessment",
        intro=f"Score each area from {chosen.scale_min} to {chosen.scale_max}.",
        links=[("#switch", "Use another tool (what you have typed is kept)")] if others else [],
        switches=others,
        switch_heading="Use another tool",
        # scores typed for another tool, kept on the page for a switch back to it
        carried=[
            (k, v)
            for k, v in request.POST.items()
            if k.startswith("area_") and k not in form.fields and v.strip()
        ],
    )


@page("case_measure")
def case_measure(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    form = forms.MeasureForm(request.POST or None)
    return _case_form(
        request,
        r,
        form,
        "Record an event",
        lambda d: record.measure_record(referral=r, on=d["date"], kind=d["kind"], note=d["note"]),
        "Record the event",
    )


@page("case_survey")
def case_survey(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    switch = switched_to(request)
    respondent = switch or request.POST.get("respondent") or request.GET.get("respondent", "")
    if respondent not in Respondent.values:
        respondent = Respondent.PARENT_CARER.value
    form = forms.SurveyForm(None if switch else (request.POST or None), respondent=respondent)
    if switch:
        shown_as_typed(form, request.POST)
    label = Respondent(respondent).label.lower()
    return _case_form(
        request,
        r,
        form,
        f"Closing survey: {label}",
        lambda d: record.survey_record(
            referral=r,
            respondent=respondent,
            answered_by=d["answered_by"],
            on=d["date"],
            answers=form.answers(),
        ),
        "Record the answers",
        intro="A professional answers on a scale from strongly agree to strongly disagree; "
        "a parent or carer and a young person on how often.",
        links=[("#switch", "Answers of another respondent (what you have typed is kept)")],
        switches=[
            (v, f"Answers of the {other.lower()}")
            for v, other in Respondent.choices
            if v != respondent
        ],
        switch_heading="Answers of another respondent",
    )


@page("case_close")
def case_close(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    reasons = [(c, vocabulary.label(c)) for c in contract_current().closure_reasons]
    form = forms.CloseForm(request.POST or None, reasons=reasons)
    return _case_form(
        request,
        r,
        form,
        "Close the case",
        lambda d: services.case_close(
            referral=r,
            outcome=d["outcome"],
            on=d["end_date"],
            reason=d["reason"],
            narrative=d["narrative"],
            by=request.user,
        ),
        "Close the case",
    )


@page("case_move_cohort")
def case_move_cohort(request: HttpRequest, referral_id: str) -> HttpResponse:
    r = case_get(request.user, referral_id)
    cohorts = [(c.code, f"{c.code}: {c.name}") for c in contract_current().cohorts]
    form = forms.MoveCohortForm(request.POST or None, cohorts=cohorts)
    return _case_form(
        request,
        r,
        form,
        "Move to another cohort",
        lambda d: services.case_move_cohort(
            referral=r,
            cohort=d["cohort"],
            on=d["referral_date"],
            narrative=d["narrative"],
            by=request.user,
        ),
        "Move the case",
        done=lambda new: (
            f"Moved: re-referral {new.referral_id} created",
            reverse("case_detail", args=[new.referral_id]),
        ),
    )


# -- the chronology ----------------------------------------------------------------------------


@page("case_chronology")
def case_chronology(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = case_get(request.user, referral_id)
    pdf_wanted = request.GET.get("format") == "pdf"
    record_access(
        user=request.user,
        action="export" if pdf_wanted else "view",
        object_type="case",
        object_id=referral.referral_id,
        path=request.get_full_path(),
        detail="chronology",
    )
    kinds = [k for k in request.GET.getlist("kind") if k in chronology.KINDS]
    date_from = address_date(request, "from", "from", target="from")
    date_to = address_date(request, "to", "to", target="to")
    entries = chronology.filtered(chronology.chronology_cached(referral), kinds, date_from, date_to)
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "referral": referral,
        "scope": scope_of(request.user),
        "entries": entries,
        "kinds": [(k, label, k in kinds) for k, label in chronology.KINDS.items()],
        "date_from": date_from,
        "date_to": date_to,
        "pdf_query": (query.urlencode() + "&" if query else "") + "format=pdf",
        "filtered": bool(kinds or date_from or date_to),
    }
    if pdf_wanted:
        html = render_to_string("cases/chronology_doc.html", context)
        return download("pdf", f"chronology-{referral.referral_id}", pdf(html))
    return render(request, "cases/chronology.html", context)
