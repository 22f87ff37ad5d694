"""The strategic board's report card for a quarter: one source for the page, PDF and XLSX.

Every figure comes from the evaluation report (``evaluation_for``) as of the quarter's last
day, so the card and the evaluation report always agree; the previous quarter's report gives
each section its one line of change. The data-quality section counts records missing and
checks that figures reconcile (claims against the engine, councils against the programme).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string

from stars.cases.models import OutcomePeriod, ProgressMeeting
from stars.core import charts
from stars.core.documents import pdf
from stars.core.permissions import Scope
from stars.core.spreadsheets import xlsx
from stars.core.tables import Table
from stars.core.templatetags.stars_format import count, count_change, money_change
from stars.core.templatetags.stars_format import money as format_gbp
from stars.domain.calendar import Quarter, next_month
from stars.domain.disclosure import (
    SUPPRESSED,
    parts_pin,
    published_amount,
    published_change,
    published_rate,
    suppress_breakdowns,
    suppress_group,
    suppress_over_time,
    suppress_parts,
)
from stars.domain.evaluation.report import ABOVE_MAXIMUM, money_of_section
from stars.domain.money import ROUNDING_NOTE, funds_named
from stars.domain.outcomes.claims import ABOVE_MAXIMUM_LABEL, OVER_MAXIMUM
from stars.domain.vocabulary import CLOSED, DECISIONS, STATUSES, label
from stars.finance.engine_bridge import payments_as_of, published_evaluation_for
from stars.partnership.selectors import contract_current
from stars.reports.evaluation import evaluation_for
from stars.reports.selectors import quarter_records

MONEY_KEYS = [
    ("outcome_payments", "Outcome payments"),
    ("guaranteed_funding_payments", "Guaranteed-funding payments"),
    ("cashable_savings", "Cashable savings"),
    ("cost_avoidance", "Cost avoidance"),
    ("net_cash_saving", "Net cash saving"),
    ("lcf_contribution", "{funds_share}"),
    ("council_cost", "Council cost after the {funds}"),
]


def money_labels(contract: Any) -> dict[str, str]:
    """The money rows' labels, naming the contract's outcome funds: "Life Chances Fund
    share" for one fund, "Outcome funds' share" for several."""
    names = [f.name for f in contract.funds]
    funds = funds_named(names)
    share = f"{funds} share" if len(names) == 1 else "Outcome funds' share"
    return {k: label.format(funds=funds, funds_share=share) for k, label in MONEY_KEYS}


def _change(now: int | Decimal, before: int | Decimal, money: bool = False) -> str:
    delta = now - before
    if delta == 0:
        return "no change"
    if money:
        return money_change(delta)  # "+£" may break: the sign is joined to its amount
    return count_change(int(delta))


@dataclass
class Section:
    key: str
    title: str
    headline: str  # the one line: the figure now and its change since last quarter
    table: Table
    chart: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Check:
    what: str
    found: int | str  # a count, or a sentence of figures
    ok: bool


def _money(report: dict[str, Any], key: str) -> Decimal:
    return Decimal(str(report["finance"].get(key, 0)))  # above a maximum: 0 when none is


def card_context(*, scope: Scope | None, quarter: Quarter, suppressed: bool) -> dict[str, Any]:
    """The report card of ``quarter`` for the councils in ``scope`` (None: the programme)."""
    contract = contract_current()
    prev = quarter.previous()
    councils = scope.council_codes(contract.council_codes) if scope else contract.council_codes
    since = f"since {prev.label}"
    shown: list[dict[str, Any] | None] = [None, None]
    if suppressed:
        # every quarter's report since the programme's first, exact and as published: the
        # money as published (the evaluation report's) and the counts quarter by quarter
        series = published_evaluation_for(scope, quarter.end, first=prev.end)
        now, before = series[-1][0], series[-2][0]
        shown = [series[-1][1]["finance"], series[-2][1]["finance"]]
        counts = _counts_over_time(series)
    else:
        now = evaluation_for(scope=scope, as_of=quarter.end)
        before = evaluation_for(scope=scope, as_of=prev.end)
        counts = [_counts_of(before), _counts_of(now)]
    c = _Counts(counts[-1], counts[-2], suppressed)
    sections = [
        _referrals(now, before, contract, councils, since, c),
        _pipeline(now, before, since, c),
        _cases(now, before, since, c),
        _money_section(now, before, contract, councils, since, *shown, counts=c),
        _measures(now, before, since, c),
    ]
    return {
        "quarter": quarter,
        "previous": prev,
        "as_of": quarter.end,
        "contract": contract,
        "report": now,
        "sections": sections,
        "checks": [] if suppressed else data_quality(scope=scope, quarter=quarter, report=now),
        "council_note": ", ".join(contract.local_authority(c).name for c in councils)
        if scope is not None and not scope.programme_wide
        else "",
        "suppressed": suppressed,
    }


# every count the card prints, keyed alike from quarter to quarter: (figure, code)
CountKey = tuple[str, str]
REFERRAL_GROUPS = ("by_cohort", "by_local_authority")


def _counts_of(report: dict[str, Any]) -> dict[CountKey, int]:
    """Every count the card prints of one quarter's evaluation report, exact."""
    refs, cases = report["referrals"], report["cases"]
    decisions = {
        d: sum(v.get(d, 0) for v in report["enquiries"]["by_cohort"].values()) for d in DECISIONS
    }
    return {
        ("referrals", "total"): refs["total"],
        **{(g, k): n for g in REFERRAL_GROUPS for k, n in refs[g].items()},
        **{("status", k): n for k, n in cases["status"].items()},
        **{("reasons", k): n for k, n in cases["closure_reasons"].items()},
        **{("enquiries", d): n for d, n in decisions.items()},
        ("enquiries", "total"): report["enquiries"]["total"],
        ("measures", "re_referrals"): refs["re_referrals"],
        ("measures", "guaranteed_funding"): refs["guaranteed_funding"],
    }


def _publish_quarter(
    counts: Mapping[CountKey, int], hidden: frozenset[CountKey]
) -> dict[CountKey, int | str]:
    """One quarter's counts as the card publishes them to a role that sees figures only,
    with those ``hidden`` (by ``suppress_over_time``) hidden too: the referrals by cohort,
    by council and (cases) by status, each ``suppress_group``'s, with one total hidden where
    any of them hides it; "closed early" hidden too where its reasons would give themselves
    away beside it, and the reasons not adding up to it where it is hidden; the enquiries
    by decision with their total; re-referrals and guaranteed-funding referrals alone."""

    def part(figure: str) -> dict[str, int]:
        return {k: n for (f, k), n in counts.items() if f == figure}

    def forced(figure: str) -> set[str]:
        return {k for f, k in hidden if f == figure}

    reasons = part("reasons")
    groups = {g: part(g) for g in (*REFERRAL_GROUPS, "status")}
    over = {g: forced(g) for g in groups}
    if parts_pin(reasons, hidden=forced("reasons")):
        over["status"].add("closed_early")
    published, total = suppress_breakdowns(
        groups,
        counts[("referrals", "total")],
        hidden=over,
        total_hidden=("referrals", "total") in hidden,
    )
    shown_reasons = suppress_parts(
        reasons, published["status"]["closed_early"], hidden=forced("reasons")
    )
    decisions = {d: n for d, n in part("enquiries").items() if d != "total"}
    enquiries, enquiries_total = suppress_group(decisions, hidden=forced("enquiries"))
    if "total" in forced("enquiries"):
        enquiries_total = SUPPRESSED
        enquiries = suppress_parts(decisions, SUPPRESSED, hidden=forced("enquiries"))
    return {
        ("referrals", "total"): total,
        **{(g, k): n for g, cells in published.items() for k, n in cells.items()},
        **{("reasons", k): n for k, n in shown_reasons.items()},
        **{("enquiries", d): n for d, n in enquiries.items()},
        ("enquiries", "total"): enquiries_total,
        **{k: SUPPRESSED if k in hidden else counts[k] for k in counts if k[0] == "measures"},
    }


def _counts_over_time(
    series: list[tuple[dict[str, Any], dict[str, Any]]],
) -> list[dict[CountKey, int | str]]:
    """The card's counts of every quarter of ``series`` (the evaluation report as of each
    quarter's end from the programme's first, exact and as published, oldest first:
    ``published_evaluation_for``) as a role that sees figures only gets them: quarter by
    quarter, so that no count hidden in one quarter is given away by the quarters around it
    and no change between quarters is a small number (``suppress_over_time``, decision
    0018). Each quarter's publication depends on it and the quarters before only: the card
    of a later quarter prints the same counts for it. What the evaluation report as
    published hides as of a quarter's end, the card hides too."""
    exact = [_counts_of(report) for report, _ in series]
    # the card never shows what the report hides beside it
    hidden = [_hidden_in(published) for _, published in series]
    return suppress_over_time(exact, _publish_quarter, hidden=hidden)


def _hidden_in(published: dict[str, Any]) -> set[CountKey]:
    """The card's counts that the evaluation report as published hides (it gives the
    enquiries by cohort or council and decision, whose decision totals are the card's)."""
    refs, cases = published["referrals"], published["cases"]
    cells: dict[CountKey, Any] = {
        ("referrals", "total"): refs["total"],
        **{(g, k): n for g in REFERRAL_GROUPS for k, n in refs[g].items()},
        **{("status", k): n for k, n in cases["status"].items()},
        **{("reasons", k): n for k, n in cases["closure_reasons"].items()},
        ("enquiries", "total"): published["enquiries"]["total"],
        ("measures", "re_referrals"): refs["re_referrals"],
        ("measures", "guaranteed_funding"): refs["guaranteed_funding"],
    }
    return {k for k, v in cells.items() if v == SUPPRESSED}


@dataclass(frozen=True)
class _Counts:
    """The card's counts of its quarter (``now``) and the quarter before, as printed: exact,
    or as a role that sees figures only gets them."""

    now: Mapping[CountKey, int | str]
    before: Mapping[CountKey, int | str]
    suppressed: bool

    def of(self, figure: str, keys: Any) -> tuple[dict[str, int | str], dict[str, int | str]]:
        return (
            {k: self.now[(figure, k)] for k in keys},
            {k: self.before[(figure, k)] for k in keys},
        )


def _count_change(now: int | str, before: int | str, n: int, n_before: int) -> str:
    """The change of a count whose published values (a count or "c") are ``now`` and
    ``before``: "c" when either is hidden, so a change never gives a hidden count away."""
    return published_change(now, before, _change(n, n_before))


def _count_delta(now: int | str, before: int | str, n: int, n_before: int) -> int | str:
    """``_count_change`` as a table holds it: the number (the table shows it signed)."""
    return published_change(now, before, n - n_before)


def _closed_early_rate(
    cases: dict[str, Any], status: Mapping[str, int | str]
) -> Decimal | str | None:
    """The closed-early rate as published: only when the counts it is worked out from
    (``status``, as printed) are all shown (``stars.domain.disclosure.published_rate``)."""
    rate: Decimal | None = cases["closed_early_rate"]
    return published_rate(rate, [status[s] for s in CLOSED])


def _referrals(
    now: dict[str, Any],
    before: dict[str, Any],
    contract: Any,
    councils: tuple[str, ...],
    since: str,
    c: _Counts,
) -> Section:
    """Against the contract's minimums: the contract's own for the programme (as the
    investor view and the simulator give it), with its cohorts', and each council's (a
    council's view shows its own minimum; cohort minimums are programme-wide)."""
    refs, total = now["referrals"], now["referrals"]["total"]
    whole = len(councils) == len(contract.council_codes)
    minimum = (
        contract.minimum_referrals
        if whole
        else sum(contract.local_authority(la).minimum_referrals for la in councils)
    )
    total_before = before["referrals"]["total"]
    total_shown = c.now[("referrals", "total")]
    before_shown = c.before[("referrals", "total")]
    published = {g: c.of(g, refs[g])[0] for g in REFERRAL_GROUPS}
    shown = published["by_cohort"]
    rows: list[list[Any]] = [
        [f"{c.code}: {c.name}", c.minimum_referrals if whole else "—", shown[c.code]]
        for c in contract.cohorts
    ]
    by_council = published["by_local_authority"]
    rows += [
        [
            contract.local_authority(la).name,
            contract.local_authority(la).minimum_referrals,
            by_council[la],
        ]
        for la in councils
    ]
    change = _count_change(total_shown, before_shown, total, total_before)
    headline = (
        f"{count(total_shown)} referral{'' if total == 1 else 's'} "
        f"against a minimum of {count(minimum)} "
        f"({change} {since})"
    )
    measures = (("Minimum", "minimum"), ("Referred", "referred")) if whole else (("Referred", ""),)
    chart_rows = [
        {
            "cohort": c.code,
            "measure": label,
            "referrals": c.minimum_referrals if key == "minimum" else refs["by_cohort"][c.code],
        }
        for c in contract.cohorts
        for label, key in measures
    ]
    chart = (
        ""
        if c.suppressed
        else charts.bar(
            chart_rows,
            x="cohort",
            y="referrals",
            color="measure",
            stack=False,
            title="Referrals against minimum targets by cohort" if whole else "Referrals by cohort",
            x_title="Cohort",
            y_title="Referrals",
            height=200,
        )
    )
    headers = ["Cohort or council", "Minimum", "Referred"]
    table = Table("referrals", "Referrals against targets", headers, rows)
    notes = [] if whole else ["Cohort minimums are set for the whole programme, not per council."]
    return Section("referrals", "Referrals against targets", headline, table, chart, notes)


def _pipeline(now: dict[str, Any], before: dict[str, Any], since: str, c: _Counts) -> Section:
    enq = now["enquiries"]
    totals = {d: sum(v.get(d, 0) for v in enq["by_cohort"].values()) for d in DECISIONS}
    prev = {
        d: sum(v.get(d, 0) for v in before["enquiries"]["by_cohort"].values()) for d in DECISIONS
    }
    shown, shown_before = c.of("enquiries", DECISIONS)
    rows = [
        [label(d), shown[d], _count_delta(shown[d], shown_before[d], totals[d], prev[d])]
        for d in DECISIONS
    ]
    total, total_before = enq["total"], before["enquiries"]["total"]
    total_shown = c.now[("enquiries", "total")]
    change = _count_change(total_shown, c.before[("enquiries", "total")], total, total_before)
    moved = "no change in enquiries" if change == "no change" else f"{change} enquiries"
    headline = (
        f"{count(total_shown)} enquiries, {count(shown['progressed'])} progressed, "
        f"{count(shown['pending'])} "
        f"waiting for a decision ({moved} {since})"
    )
    chart = (
        ""
        if c.suppressed
        else charts.bar(
            [{"decision": label(d), "enquiries": totals[d]} for d in DECISIONS],
            x="decision",
            y="enquiries",
            title="Enquiries by decision",
            x_title="Decision",
            y_title="Enquiries",
            horizontal=True,
            height=180,
        )
    )
    table = Table(
        "pipeline",
        "Pipeline: enquiries by decision",
        ["Decision", "Enquiries", f"Change {since}"],
        rows,
        count_changes={f"Change {since}"},
    )
    return Section("pipeline", "Pipeline", headline, table, chart)


def _cases(now: dict[str, Any], before: dict[str, Any], since: str, c: _Counts) -> Section:
    cases, prev = now["cases"], before["cases"]
    status, status_before = c.of("status", STATUSES)
    reasons, reasons_before = c.of("reasons", cases["closure_reasons"])
    prev_reasons = {r: prev["closure_reasons"].get(r, 0) for r in cases["closure_reasons"]}
    rows = [
        [
            "Status",
            label(s),
            status[s],
            _count_delta(status[s], status_before[s], cases["status"][s], prev["status"][s]),
        ]
        for s in STATUSES
    ]
    rows += [
        [
            "Closed early because",
            label(r),
            reasons[r],
            _count_delta(reasons[r], reasons_before[r], n, prev_reasons[r]),
        ]
        for r, n in cases["closure_reasons"].items()
    ]
    rate = _closed_early_rate(cases, status)
    if rate is None:
        closed_early = "no case has ended yet"
    elif rate == SUPPRESSED:
        closed_early = "the share of ended cases closed early is not shown"
    else:
        closed_early = f"{rate:.1%} of ended cases closed early"  # as in the key measures
    live = cases["status"]["live"]
    change = _count_change(status["live"], status_before["live"], live, prev["status"]["live"])
    headline = f"{status['live']} live cases ({change} {since}); {closed_early}"
    chart = (
        ""
        if c.suppressed
        else charts.bar(
            [{"status": label(s), "cases": cases["status"][s]} for s in STATUSES],
            x="status",
            y="cases",
            title="Case status",
            x_title="Status",
            y_title="Cases",
            height=180,
        )
    )
    table = Table(
        "cases",
        "Case status and closures",
        ["Figure", "Status or reason", "Cases", f"Change {since}"],
        rows,
        count_changes={f"Change {since}"},
    )
    return Section("cases", "Case status and closures", headline, table, chart)


# the fees are the guaranteed-funding referrals times the contract's weekly fee and minimum
# weeks; the net cash saving and the council cost are worked out from them
FEES = ("guaranteed_funding_payments", "net_cash_saving", "council_cost")


def _published_money(
    report: dict[str, Any], shown: dict[str, Any] | None, guaranteed: int | str
) -> dict[str, Decimal | str]:
    """The programme's money of ``report`` as the card prints it: exact, or where counts are
    suppressed as the evaluation report publishes it (``shown``, its published finance): an
    amount that is a price times a hidden count hidden with it, and what it would be worked
    out from (``stars.domain.disclosure.published_amount``), the fees with the card's own
    guaranteed-funding referrals (``guaranteed``, as the card prints them quarter by
    quarter); what is paid (outcome payments and fees) hidden where either is."""
    keys = [k for k, _ in MONEY_KEYS] + [ABOVE_MAXIMUM]
    out: dict[str, Decimal | str] = {
        k: _money(report, k)
        if shown is None
        else published_amount(_money(report, k), [shown.get(k, 0), guaranteed if k in FEES else 0])
        for k in keys
    }
    paid = money_of_section(report["finance"]).paid
    out["paid"] = published_amount(
        paid, [out["outcome_payments"], out["guaranteed_funding_payments"]]
    )
    return out


def _money_section(
    now: dict[str, Any],
    before: dict[str, Any],
    contract: Any,
    councils: tuple[str, ...],
    since: str,
    shown: dict[str, Any] | None = None,
    shown_before: dict[str, Any] | None = None,
    *,
    counts: _Counts,
) -> Section:
    """The money section; ``shown``, ``shown_before``: the evaluation report's finance as
    published, now and the quarter before, where counts are suppressed (else None)."""
    labels = money_labels(contract)
    key = ("measures", "guaranteed_funding")
    fig = _published_money(now, shown, counts.now[key])
    fig_before = _published_money(before, shown_before, counts.before[key])
    # outcome payments are what the contract pays; what was earned above a maximum outcome
    # payment is a line of its own when any was (now or the quarter before)
    above = ABOVE_MAXIMUM in now["finance"] or ABOVE_MAXIMUM in before["finance"]
    keys = [
        (k, "Outcome payments payable" if above and k == "outcome_payments" else labels[k])
        for k, _ in MONEY_KEYS
    ]
    if above:
        keys.insert(1, (ABOVE_MAXIMUM, ABOVE_MAXIMUM_LABEL))
    rows = [
        [
            label,
            fig[k],
            published_change(fig[k], fig_before[k], _money(now, k) - _money(before, k)),
        ]
        for k, label in keys
    ]
    paid = money_of_section(now["finance"]).paid
    paid_before = money_of_section(before["finance"]).paid
    cashable = _money(now, "cashable_savings")
    headline = (
        f"{format_gbp(fig['paid'])} payable in outcome payments and guaranteed-funding fees "
        "to date ("
        f"{published_change(fig['paid'], fig_before['paid'], _change(paid, paid_before, True))}"
        f" {since}) against {format_gbp(cashable)} cashable savings"
    )
    chart_rows = []
    for la in councils:
        fin = now["finance"]["by_local_authority"][la]
        name = contract.local_authority(la).name
        published = shown["by_local_authority"][la] if shown else fin
        hidden = SUPPRESSED in (
            published["outcome_payments"],
            published["guaranteed_funding_payments"],
        )
        chart_rows += [
            *(
                []
                if hidden  # a chart draws every amount: a hidden one is left out
                else [
                    {
                        "council": name,
                        "figure": "Outcome payments and fees payable",
                        "pounds": float(money_of_section(fin).paid),
                    }
                ]
            ),
            *(
                []
                if published["cashable_savings"] == SUPPRESSED  # a council of few children
                else [
                    {
                        "council": name,
                        "figure": "Cashable savings",
                        "pounds": float(fin["cashable_savings"]),
                    }
                ]
            ),
        ]
    chart = charts.bar(
        chart_rows,
        x="council",
        y="pounds",
        color="figure",
        stack=False,
        title="Payments and cashable savings by council (£)",
        x_title="Council",
        y_title="£",
        height=200,
    )
    notes = []
    cap = contract.maximum_outcome_payment
    held = money_of_section(now["finance"])
    if cap and fig["outcome_payments"] != SUPPRESSED:
        # the maximum limits outcome payments; guaranteed-funding fees are apart
        notes.append(
            f"{held.outcome_payments / cap:.0%} of the contract's maximum outcome payment "
            f"({format_gbp(cap)}) is paid in outcome payments (guaranteed-funding fees "
            "apart)."
        )
    if held.above_maximum and fig["outcome_payments"] != SUPPRESSED:
        notes.append(
            f"The outcome payments earned, {format_gbp(held.earned_outcome_payments)}, pass "
            f"a maximum outcome payment: {format_gbp(held.outcome_payments)} is payable and "
            f"{format_gbp(held.above_maximum)} earned above the maximum is not payable "
            "(claims pay up to each maximum)."
        )
    notes.append(ROUNDING_NOTE)
    table = Table(
        "money",
        "Outcome payments and savings",
        ["Figure", "To date", f"Change {since}"],
        rows,
        money={"To date"},
        changes={f"Change {since}"},
    )
    return Section("money", "Outcome payments and savings", headline, table, chart, notes)


def _measures(now: dict[str, Any], before: dict[str, Any], since: str, c: _Counts) -> Section:
    weeks, prev = now["finance"]["sustained_weeks"], before["finance"]["sustained_weeks"]
    rate = _closed_early_rate(now["cases"], c.of("status", STATUSES)[0])
    rate_before = _closed_early_rate(before["cases"], c.of("status", STATUSES)[1])

    def count_row(name: str, key: str) -> list[Any]:
        n, n_before = now["referrals"][key], before["referrals"][key]
        shown, shown_before = c.now[("measures", key)], c.before[("measures", key)]
        return [name, shown, _count_delta(shown, shown_before, n, n_before)]

    rate_row: list[Any] = ["Ended cases closed early", "—", "—"]
    if rate == SUPPRESSED:
        rate_row[1:] = [SUPPRESSED, SUPPRESSED]
    elif rate is not None:
        rate_row[1] = Decimal(rate)
        if rate_before == SUPPRESSED:
            rate_row[2] = SUPPRESSED
        elif rate_before is not None:
            rate_row[2] = f"{(Decimal(rate) - Decimal(rate_before)) * 100:+.1f} points"
    rows = [
        ["Placement or home sustained (weeks)", weeks, weeks - prev],
        count_row("Re-referrals", "re_referrals"),
        count_row("Guaranteed-funding referrals", "guaranteed_funding"),
        rate_row,
    ]
    headline = f"{weeks:,} weeks of placement or home sustained ({_change(weeks, prev)} {since})"
    headers = ["Measure", "Now", f"Change {since}"]
    table = Table(
        "measures",
        "Key measures",
        headers,
        rows,
        count_changes={headers[2]},
        rate_rows={rate_row[0]},
    )
    return Section("measures", "Key measures", headline, table)


def data_quality(*, scope: Scope | None, quarter: Quarter, report: dict[str, Any]) -> list[Check]:
    """Records missing and figures that do not reconcile, as of the quarter's end."""
    end = quarter.end
    records = quarter_records(scope=scope, quarter=quarter)
    refs, enquiries, claims = records.referrals, records.enquiries, records.approved_claims
    checks: list[Check] = []

    no_period = refs.exclude(Exists(OutcomePeriod.objects.filter(referral=OuterRef("pk"))))
    n = no_period.count()
    checks.append(Check("Referrals with no outcome period recorded", n, n == 0))
    live = refs.filter(Q(end_date__isnull=True) | Q(end_date__gt=end))
    quiet = live.exclude(
        Exists(
            ProgressMeeting.objects.filter(
                referral=OuterRef("pk"), date__gte=quarter.start, date__lte=end
            )
        )
    ).filter(referral_date__lt=quarter.start)
    n = quiet.count()
    checks.append(Check("Live cases with no progress meeting in the quarter", n, n == 0))
    waiting = enquiries.filter(Q(decision="pending") | Q(decision_date__gt=end)).filter(
        enquiry_date__lt=end - dt.timedelta(days=28)
    )
    n = waiting.count()
    checks.append(Check("Enquiries waiting more than four weeks for a decision", n, n == 0))

    # approved claims against the engine, council by council, to the last approved month
    contract = contract_current()
    for code in sorted(set(claims.values_list("council__code", flat=True))):
        mine = claims.filter(council__code=code)
        last = mine.order_by("-month").first()
        assert last is not None
        upto = next_month(last.month)
        claimed = held_back = Decimal(0)  # exactly, in Python: SQLite sums decimals as float
        for kind, amount in mine.values_list("lines__kind", "lines__amount"):
            if amount is not None:
                claimed += amount
                held_back -= amount if kind == OVER_MAXIMUM else 0
        engine = sum(
            (p.claimable for p in payments_as_of(contract, council=code, as_of=upto).values()),
            Decimal(0),
        )
        name = contract.local_authority(code).name
        ok = claimed + held_back == engine
        over = (
            f" less {format_gbp(held_back)} over the maximum outcome payment, not payable"
            if held_back
            else ""
        )
        found = (
            f"{format_gbp(claimed)} claimed to {last.month:%B %Y}, equal to the engine{over}"
            if ok
            else f"{format_gbp(claimed)} claimed, engine {format_gbp(engine)}{over}: "
            f"difference {format_gbp(engine - held_back - claimed)} to be claimed as adjustments"
        )
        checks.append(Check(f"{name}: approved claims against the outcomes engine", found, ok))

    # the councils' figures add up to the report's totals
    refs_sum = sum(report["referrals"]["by_local_authority"].values())
    ok = refs_sum == report["referrals"]["total"]
    checks.append(
        Check(
            "Councils' referrals add up to the total",
            f"{refs_sum} against {report['referrals']['total']}",
            ok,
        )
    )
    return checks


def card_html(context: dict[str, Any]) -> str:
    return render_to_string("reports/board_doc.html", context)


def card_pdf(context: dict[str, Any]) -> bytes:
    return pdf(card_html(context))


def card_xlsx(context: dict[str, Any]) -> bytes:
    """One sheet of headlines, one per section's table, and the data-quality checks."""
    sections: list[Section] = context["sections"]
    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {
        "Summary": (
            ["Section", f"{context['quarter'].label} and change since {context['previous'].label}"],
            [[s.title, s.headline] for s in sections],
        )
    }
    money: dict[str, set[str]] = {}
    changes: dict[str, set[str]] = {}
    count_changes: dict[str, set[str]] = {}
    rate_rows: dict[str, set[str]] = {}
    for s in sections:
        sheets[s.title[:31]] = (s.table.headers, s.table.rows)
        money[s.title[:31]] = s.table.money
        changes[s.title[:31]] = s.table.changes
        count_changes[s.title[:31]] = s.table.count_changes
        rate_rows[s.title[:31]] = s.table.rate_rows
    if context["checks"]:
        sheets["Data quality"] = (
            ["Check", "Found", "OK"],
            [[c.what, c.found, "yes" if c.ok else "no"] for c in context["checks"]],
        )
    return xlsx(
        sheets,
        money_columns=money,
        change_columns=changes,
        count_change_columns=count_changes,
        rate_rows=rate_rows,
    )
