"""The outcomes report: measures of change across cases, aggregate only.

Scope comes from ``stars.core.permissions.Scope`` (council, caseload); investors and
evaluators, who see no child-level rows, get the whole programme's aggregates with
counts under 5 suppressed ("c", as DfE publishes them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from stars.cases.models import (
    ANSWERS,
    Assessment,
    AssessmentScore,
    AttendanceTerm,
    ClosingSurvey,
    Instrument,
    InstrumentArea,
    MeasureEvent,
    MeasureKind,
    OutcomePeriod,
    Respondent,
    answer_scale,
)
from stars.cases.selectors import Filters, report_referrals
from stars.core.cache import cached_figures, data_version
from stars.core.charts import bar
from stars.core.permissions import Scope
from stars.core.spreadsheets import sheet_titles, xlsx
from stars.domain.disclosure import (
    AS_OF,
    SUPPRESSED,
    coarse_date,
    published_rate,
    suppress,
    suppress_group,
)
from stars.domain.measures import (
    MOVEMENT_LABELS,
    MOVEMENTS,
    area_change,
    attendance_band,
    band_movement,
    proportion,
    still_in_placement,
)
from stars.referrals.models import Referral, Status

# Change in a measure means the same colour in every chart: better green, worse red.
CHANGE_COLOURS = {"improved": "#00703c", "same": "#505a5f", "worse": "#d4351c"}


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)  # raw values; "c" when suppressed
    kinds: list[str] = field(default_factory=list)  # text, count, share, mean
    chart: str = ""
    chart_label: str = ""
    sheet: str = ""  # its sheet's name in the workbook (the key when none)

    @property
    def display(self) -> list[list[str]]:
        return [[_fmt(v, k) for v, k in zip(r, self.kinds, strict=True)] for r in self.rows]


def _fmt(v: Any, kind: str) -> str:
    if v is None:
        return "–"
    if v == SUPPRESSED or kind in ("text", "count"):
        return str(v)
    if kind == "share":
        return f"{v * 100:.1f}%"
    return f"{v:.2f}"


class _Sup:
    """Small counts hidden, and what would give them away, by the rules of
    ``stars.domain.disclosure`` that the evaluation report, the board card and the investor
    view apply (decision 0012): counts ``suppress``'s, a breakdown ``suppress_group``'s, and
    a share or mean shown only when every count it is worked out from is
    (``published_rate``)."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def count(self, n: int) -> Any:
        return suppress(n) if self.on else n

    def mean(self, value: float | None, n: int) -> Any:
        return published_rate(value, [self.count(n)])

    def group(self, counts: dict[str, int]) -> tuple[dict[str, Any], dict[str, Any], Any]:
        """A breakdown's counts, their shares of its total and the total, as published:
        secondary suppression (``suppress_group``), so that no hidden count is the total
        (shown, or given by the shares shown) less the counts shown; a share shown only
        when its count and the total are."""
        n = sum(counts.values())
        if not self.on:
            return dict(counts), {k: v / n if n else None for k, v in counts.items()}, n
        cells, total = suppress_group(counts)
        shares = {
            k: None if n == 0 else published_rate(v / n, [cells[k], total])
            for k, v in counts.items()
        }
        return cells, shares, total


# The records the outcomes report reads: its figures are cached per version of these.
OUTCOME_RECORDS = (
    Referral,
    OutcomePeriod,
    Assessment,
    AssessmentScore,
    AttendanceTerm,
    ClosingSurvey,
    Instrument,
    InstrumentArea,
    MeasureEvent,
)


def outcomes_xlsx(tables: list[Table]) -> bytes:
    """The outcomes report as a workbook, one sheet per table, named for its table; shares
    are numbers shown as percentages and means numbers rounded as on the page (4.055 is
    4.05 there and here)."""
    titles = sheet_titles(t.sheet or t.key for t in tables)

    def columns(t: Table, kind: str) -> set[str]:
        return {h for h, k in zip(t.headers, t.kinds, strict=True) if k == kind}

    def cell(v: Any, kind: str) -> Any:
        return float(_fmt(v, kind)) if kind == "mean" and isinstance(v, float | int) else v

    def rows(t: Table) -> list[list[Any]]:
        return [[cell(v, k) for v, k in zip(r, t.kinds, strict=True)] for r in t.rows]

    return xlsx(
        {title: (t.headers, rows(t)) for title, t in zip(titles, tables, strict=True)},
        rate_columns={title: columns(t, "share") for title, t in zip(titles, tables, strict=True)},
        mean_columns={title: columns(t, "mean") for title, t in zip(titles, tables, strict=True)},
    )


def outcomes_tables(scope: Scope, filters: Filters, *, suppressed: bool) -> list[Table]:
    """``outcomes_report`` with its charts, cached per version of ``OUTCOME_RECORDS``, scope
    and filters (``stars.core.cache``)."""
    return cached_figures(
        "cases_outcomes",
        data_version(OUTCOME_RECORDS),
        (scope.key, filters, suppressed),
        lambda: add_charts(outcomes_report(scope, filters, suppressed=suppressed)),
    )


def outcomes_as_of(scope: Scope, today: dt.date) -> dt.date | None:
    """The day the report's records are as of: for a role that sees figures only, the last
    day of the last quarter ended, as its other live figures (decision 0008), so looking
    every day gives no day's children away; else None, every record to date."""
    return None if scope.child_level else coarse_date(today, AS_OF, today)


def outcomes_report(scope: Scope, filters: Filters, *, suppressed: bool) -> list[Table]:
    """The report's tables; with ``filters.as_of``, from the records up to that day only
    (referrals, assessments, terms, surveys and events dated by it, cases ended by it)."""
    refs = report_referrals(scope, filters)
    sup = _Sup(suppressed)
    cut = filters.as_of
    return [
        *_area_tables(refs, sup, cut),
        _attendance_table(refs, sup, cut),
        _stability_table(refs, sup, cut),
        _survey_table(refs, sup, cut),
        _events_table(refs, sup, cut),
    ]


def _upto(qs: QuerySet[Any], field: str, cut: dt.date | None) -> QuerySet[Any]:
    """The records of ``qs`` dated (``field``) by ``cut``; all of them when no cut."""
    return qs if cut is None else qs.filter(**{f"{field}__lte": cut})


def _area_tables(refs: QuerySet[Referral], sup: _Sup, cut: dt.date | None) -> list[Table]:
    rows = (
        _upto(
            AssessmentScore.objects.filter(assessment__referral__in=refs), "assessment__date", cut
        )
        .order_by("assessment__date", "assessment_id")
        .values_list("assessment__referral_id", "area_id", "score")
    )
    first: dict[tuple[int, int], int] = {}
    latest: dict[tuple[int, int], int] = {}
    seen: Counter[tuple[int, int]] = Counter()
    for rid, area, score in rows:
        key = (rid, area)
        first.setdefault(key, score)
        latest[key] = score
        seen[key] += 1
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key, n in seen.items():
        if n >= 2:
            pairs[key[1]].append((first[key], latest[key]))
    tables = []
    areas = InstrumentArea.objects.select_related("instrument").order_by(
        "instrument__name", "order"
    )
    by_instrument: dict[Instrument, list[InstrumentArea]] = defaultdict(list)
    for a in areas:
        by_instrument[a.instrument].append(a)
    for inst, inst_areas in by_instrument.items():
        t = Table(
            key=f"areas_{inst.pk}",
            sheet=inst.name,
            title=f"{inst.name} ({inst.scale}): first and latest "
            "assessment of cases assessed at least twice",
            headers=["Area", "Cases", "Improved", "Same", "Worse", "Mean first", "Mean latest"],
            kinds=["text", "count", "share", "share", "share", "mean", "mean"],
            chart_label=f"Bar chart of the share of cases improved, the same or worse in each "
            f"area of the {inst.name}; the figures are in the table below",
        )
        for a in inst_areas:
            c = area_change(pairs.get(a.pk, []))
            _, shares, n = sup.group({"improved": c.improved, "same": c.same, "worse": c.worse})
            t.rows.append(
                [
                    a.name,
                    n,
                    shares["improved"],
                    shares["same"],
                    shares["worse"],
                    sup.mean(c.mean_first, c.n),
                    sup.mean(c.mean_latest, c.n),
                ]
            )
        tables.append(t)
    return tables


def _attendance_table(refs: QuerySet[Referral], sup: _Sup, cut: dt.date | None) -> Table:
    graduated = _upto(refs.filter(status=Status.GRADUATED), "end_date", cut)
    terms = (
        _upto(AttendanceTerm.objects.filter(referral__in=graduated), "start_date", cut)
        .order_by("referral_id", "start_date")
        .values_list("referral_id", "possible_sessions", "attended_sessions")
    )
    bands: dict[int, list[str]] = defaultdict(list)
    for rid, possible, attended in terms:
        band = attendance_band(possible, attended)
        if band:
            bands[rid].append(band)
    moves = Counter(band_movement(b[0], b[-1]) for b in bands.values() if len(b) >= 2)
    t = Table(
        key="attendance",
        sheet="School attendance",
        title="School attendance of graduated cases: band in the first term and the latest",
        headers=["Movement", "Cases", "Share"],
        kinds=["text", "count", "share"],
        chart_label="Bar chart of attendance band movement of graduated cases; "
        "the figures are in the table below",
    )
    cells, shares, total = sup.group({m: moves[m] for m in MOVEMENTS})
    for m in MOVEMENTS:
        t.rows.append([MOVEMENT_LABELS[m], cells[m], shares[m]])
    t.rows.append(["All graduated cases with two or more terms", total, None])
    return t


def _stability_table(refs: QuerySet[Referral], sup: _Sup, cut: dt.date | None) -> Table:
    ended = _upto(refs.filter(status__in=[Status.GRADUATED, Status.CLOSED_EARLY]), "end_date", cut)
    ends = dict(ended.values_list("pk", "end_date"))
    status = dict(ended.values_list("pk", "status"))
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for rid, s, e in _upto(
        OutcomePeriod.objects.filter(referral__in=ended), "start_date", cut
    ).values_list("referral_id", "start_date", "end_date"):
        periods[rid].append((s, None if cut and e and e > cut else e))
    t = Table(
        key="stability",
        sheet="Placement stability",
        title="Placement stability: still in a placement (or home) that began before or "
        "during support when support ended, with 95% Wilson intervals",
        headers=["Cases", "Ended", "Still in placement", "Share", "95% CI low", "95% CI high"],
        kinds=["text", "count", "count", "share", "share", "share"],
        chart_label="Bar chart of the share still in placement, graduated against closed "
        "early; the figures and confidence intervals are in the table below",
    )
    for st in (Status.GRADUATED, Status.CLOSED_EARLY):
        ids = [rid for rid, s in status.items() if s == st]
        k = sum(1 for rid in ids if still_in_placement(ends[rid], periods.get(rid, [])))
        p = proportion(k, len(ids))
        # those still in placement and the others: a breakdown of the cases ended
        cells, shares, total = sup.group({"still": k, "not": len(ids) - k})
        share = shares["still"]
        t.rows.append(
            [
                st.label,
                total,
                cells["still"],
                share,
                published_rate(p.low, [share]),
                published_rate(p.high, [share]),
            ]
        )
    return t


def _survey_table(refs: QuerySet[Referral], sup: _Sup, cut: dt.date | None) -> Table:
    counts = Counter(
        _upto(ClosingSurvey.objects.filter(referral__in=refs), "date", cut).values_list(
            "respondent", "answer"
        )
    )
    t = Table(
        key="surveys",
        sheet="Surveys at closure",
        title="Surveys at closure: answers to all questions, by respondent",
        headers=["Respondent", "Answer", "Answers", "Share of the respondent's answers"],
        kinds=["text", "text", "count", "share"],
        chart_label="Bar chart of survey answers by respondent; the figures are in the table below",
    )
    for resp, resp_label in Respondent.choices:
        scale = [answer for answer, _ in answer_scale(resp)]
        cells, shares, _ = sup.group({answer: counts[(resp, answer)] for answer in scale})
        for answer in scale:
            t.rows.append([resp_label, ANSWERS[answer], cells[answer], shares[answer]])
    return t


def _events_table(refs: QuerySet[Referral], sup: _Sup, cut: dt.date | None) -> Table:
    rows = _upto(MeasureEvent.objects.filter(referral__in=refs), "date", cut).values_list(
        "kind", "referral_id"
    )
    events: Counter[str] = Counter()
    cases: dict[str, set[int]] = defaultdict(set)
    for kind, rid in rows:
        events[kind] += 1
        cases[kind].add(rid)
    t = Table(
        key="events",
        sheet="Events during support",
        title="Events recorded during support",
        headers=["Event", "Events", "Cases"],
        kinds=["text", "count", "count"],
    )
    for kind, label in MeasureKind.choices:
        t.rows.append([label, sup.count(events[kind]), sup.count(len(cases[kind]))])
    return t


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def add_charts(tables: list[Table]) -> list[Table]:
    """A chart for each table, drawn from the published (suppressed) figures only."""
    for t in tables:
        if t.key.startswith("areas_"):
            data = [
                {"area": r[0], "change": label, "share": r[i]}
                for r in t.rows
                for i, label in ((2, "improved"), (3, "same"), (4, "worse"))
                if _num(r[i])
            ]
            t.chart = _chart(
                bar,
                data,
                x="area",
                y="share",
                color="change",
                colors=CHANGE_COLOURS,
                horizontal=True,
                x_title="",
                y_title="share of cases",
                height=220,
            )
        elif t.key == "attendance":
            data = [{"movement": r[0], "cases": r[1]} for r in t.rows[:-1] if _num(r[1])]
            t.chart = _chart(
                bar, data, x="movement", y="cases", x_title="", y_title="cases", height=200
            )
        elif t.key == "stability":
            data = [{"cases": r[0], "share": r[3]} for r in t.rows if _num(r[3])]
            t.chart = _chart(
                bar, data, x="cases", y="share", x_title="", y_title="share", height=200
            )
        elif t.key == "surveys":
            data = [
                {"respondent": r[0], "answer": r[1], "share": r[3]} for r in t.rows if _num(r[3])
            ]
            t.chart = _chart(
                bar,
                data,
                x="respondent",
                y="share",
                color="answer",
                x_title="",
                y_title="share",
                height=200,
            )
        elif t.key == "events":
            data = [{"event": r[0], "events": r[1]} for r in t.rows if _num(r[1])]
            t.chart = _chart(
                bar,
                data,
                x="event",
                y="events",
                horizontal=True,
                x_title="",
                y_title="events",
                height=180,
            )
            t.chart_label = "Bar chart of events recorded; the figures are in the table below"
    return tables


def _chart(draw: Any, data: list[dict[str, Any]], **kwargs: Any) -> str:
    """No chart without figures to draw (an empty chart says nothing and fails axe)."""
    return draw(data, **kwargs) if data else ""
