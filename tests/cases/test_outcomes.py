"""The outcomes report: worked figures, scope, suppression for investors, XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from stars.cases import record, services
from stars.cases.models import ClosingSurvey
from stars.cases.outcomes import outcomes_report
from stars.cases.selectors import Filters
from stars.core.models import AccessLog
from stars.core.permissions import scope_of
from stars.partnership.selectors import contract_current
from tests.conftest import make_referral

D = dt.date


def _close(r, status, on, stable, reason="consent_withdrawn"):
    services.outcome_period_record(referral=r, start_date=r.referral_date)
    if not stable:
        services.outcome_period_end(
            referral=r, end_date=on - dt.timedelta(days=30), reason="breakdown"
        )
    if status == "graduated":
        services.case_close(referral=r, outcome="graduated", on=on)
    else:
        services.case_close(referral=r, outcome="closed_early", on=on, reason=reason, narrative="n")


@pytest.fixture
def programme(users, instruments):
    """Derby: 6 graduated (5 still in placement), 6 closed early (2 still in placement);
    Nottingham: 1 graduated. Young person's star twice for the graduated Derby cases."""
    yp = instruments[0]
    areas = list(yp.areas.all())
    out = {"graduated": [], "closed": []}
    for i in range(6):
        r = make_referral(f"R-G{i}", "derby")
        _close(r, "graduated", D(2024, 1, 8), stable=i < 5)
        first = {a.pk: 2 for a in areas}
        latest = {a.pk: (4 if i < 4 else 2 if i < 5 else 1) for a in areas}
        record.assessment_record(referral=r, instrument=yp, on=D(2022, 1, 20), scores=first)
        record.assessment_record(referral=r, instrument=yp, on=D(2023, 1, 20), scores=latest)
        # attendance: 3 move from persistent to good, 2 stay good, 1 drops
        first_att, last_att = (
            [(100, 80), (100, 80), (100, 80), (100, 95), (100, 95), (100, 95)][i],
            [(100, 95), (100, 95), (100, 95), (100, 96), (100, 96), (100, 40)][i],
        )
        record.attendance_record(
            referral=r,
            term="autumn 2022",
            start_date=D(2022, 9, 1),
            possible=first_att[0],
            attended=first_att[1],
        )
        record.attendance_record(
            referral=r,
            term="autumn 2023",
            start_date=D(2023, 9, 1),
            possible=last_att[0],
            attended=last_att[1],
        )
        record.survey_record(
            referral=r,
            respondent="parent_carer",
            on=D(2024, 1, 8),
            answers={"expectations_met": "all"},
        )
        out["graduated"].append(r)
    for i in range(6):
        r = make_referral(f"R-C{i}", "derby")
        _close(r, "closed_early", D(2022, 9, 1), stable=i < 2)
        out["closed"].append(r)
    n = make_referral("R-NG", "nottingham")
    _close(n, "graduated", D(2024, 1, 8), stable=True)
    return out


def _table(tables, key):
    return next(t for t in tables if t.key == key)


def test_worked_figures_for_the_provider(users, programme, instruments):
    tables = outcomes_report(
        scope_of(users["provider_manager"]), Filters(council="derby"), suppressed=False
    )
    areas = next(t for t in tables if t.key.startswith("areas_") and t.title.startswith("Young"))
    yp = instruments[0]
    assert f"(scale {yp.scale_min} to {yp.scale_max}): " in areas.title  # GOV.UK: "to", not "-"
    row = areas.rows[0]  # 6 cases: 4 improved, 1 same, 1 worse; mean 2.0 -> (16+2+1)/6
    assert row[1:5] == [6, 4 / 6, 1 / 6, 1 / 6]
    assert row[5] == 2.0 and row[6] == pytest.approx(19 / 6)
    attendance = _table(tables, "attendance")
    assert [r[1] for r in attendance.rows] == [
        2,
        3,
        1,
        0,
        6,
    ]  # maintained, improved, dropped, other, all
    stability = _table(tables, "stability")
    graduated, closed = stability.rows
    assert graduated[:4] == ["Graduated", 6, 5, 5 / 6]
    assert closed[:4] == ["Closed early", 6, 2, 2 / 6]
    assert 0 <= closed[4] <= 2 / 6 <= closed[5] <= 1
    surveys = _table(tables, "surveys")
    assert ["Parent or carer", "All of the time", 6, 1.0] in surveys.rows


def test_investors_see_small_counts_suppressed(client, users, programme):
    client.force_login(users["investor"])
    response = client.get(reverse("cases_outcomes"))
    html = response.content.decode()
    assert response.status_code == 200
    tables = response.context["tables"]
    stability = _table(tables, "stability")
    # closed early programme-wide: 2 of 6 still in placement, so the 2 and its share are "c"
    closed = stability.rows[1]
    assert closed[1] == 6 and closed[2] == "c" and closed[3] == "c" and closed[4] == "c"
    attendance = _table(tables, "attendance")
    assert attendance.rows[0][1] == "c" and attendance.rows[4][1] == 6  # 2 maintained: "c"
    for child_level in ("R-G0", "Synthetic", "C-R-G0"):
        assert child_level not in html
    assert 'shown as "c"' in html


def test_the_provider_sees_the_same_figures_unsuppressed(client, users, programme):
    client.force_login(users["provider_manager"])
    tables = client.get(reverse("cases_outcomes")).context["tables"]
    assert _table(tables, "stability").rows[1][2] == 2


def test_a_commissioner_sees_only_their_council(client, users, programme):
    client.force_login(users["commissioner"])
    asked = client.get(reverse("cases_outcomes") + "?council=nottingham")
    assert asked.status_code == 400  # Nottingham is refused, Derby's figures shown
    assert _table(asked.context["tables"], "stability").rows[0][1] == 6
    client.force_login(users["provider_manager"])
    tables = client.get(reverse("cases_outcomes") + "?council=nottingham").context["tables"]
    assert _table(tables, "stability").rows[0][1] == 1


def test_the_filters_are_described_by_names_and_dates_as_the_page_writes_them(
    client, users, programme
):
    client.force_login(users["provider_manager"])
    query = "?council=nottingham&cohort=B&from=2023-01-01"
    html = client.get(reverse("cases_outcomes") + query).content.decode()
    contract = contract_current()
    council, cohort = contract.local_authority("nottingham"), contract.cohort("B")
    assert (
        f"Showing {council.name}, cohort B: {cohort.name}, referred from 1 January 2023 to now."
    ) in html.replace("&#x27;", "'")


def test_filters_by_cohort_and_period(users, programme):
    scope = scope_of(users["admin"])
    none = outcomes_report(scope, Filters(cohort="A"), suppressed=False)
    assert _table(none, "stability").rows[0][1] == 0
    later = outcomes_report(scope, Filters(date_from=D(2023, 1, 1)), suppressed=False)
    assert _table(later, "stability").rows[0][1] == 0


def test_downloads_are_logged(client, users, programme):
    from openpyxl import load_workbook

    client.force_login(users["evaluator"])
    response = client.get(reverse("cases_outcomes") + "?format=xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    assert "Placement stability" in wb.sheetnames
    assert wb["Placement stability"]["C3"].value == "c"
    response = client.get(reverse("cases_outcomes") + "?format=pdf")
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(object_id="outcomes", action="export").count() == 2


def test_the_workbooks_shares_are_percentages_as_on_the_page(client, users, programme):
    from openpyxl import load_workbook

    client.force_login(users["admin"])
    response = client.get(reverse("cases_outcomes") + "?format=xlsx")
    stability = load_workbook(io.BytesIO(response.content))["Placement stability"]
    headers = [c.value for c in stability[1]]
    for name in ("Share", "95% CI low", "95% CI high"):
        cell = stability.cell(row=2, column=headers.index(name) + 1)
        assert cell.number_format == "0.0%", name
    assert stability.cell(row=2, column=headers.index("Ended") + 1).number_format == "General"


def test_the_workbooks_sheets_are_named_for_their_tables_and_means_shown_as_on_the_page(
    client, users, programme
):
    from openpyxl import load_workbook

    client.force_login(users["admin"])
    response = client.get(reverse("cases_outcomes") + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    tables = client.get(reverse("cases_outcomes")).context["tables"]
    names = book.sheetnames
    assert len(names) == len(tables) == len({n.lower() for n in names})
    assert all(len(n) <= 31 and not n.startswith("areas_") for n in names), names
    assert "School attendance" in names and "Events during support" in names
    checked = 0
    for name, table in zip(names, tables, strict=True):
        if not table.key.startswith("areas_"):
            continue
        assert table.title.startswith(name)  # the instrument's name
        sheet = book[name]
        for r, shown in enumerate(table.display, start=2):
            for c, kind in enumerate(table.kinds, start=1):
                cell = sheet.cell(row=r, column=c)
                if kind == "mean" and isinstance(cell.value, float):
                    assert cell.number_format == "0.00"
                    assert f"{cell.value:.2f}" == shown[c - 1]
                    assert cell.value == float(shown[c - 1])  # 4.055 on the page is 4.05
                    checked += 1
    assert checked


def test_sheet_titles_are_short_unique_and_allowed():
    from stars.core.spreadsheets import sheet_titles

    long = "Strengths and Difficulties Questionnaire"
    assert sheet_titles([long, long, "a/b", "Events", "events"]) == [
        long[:31],
        f"{long[:27]} (2)",
        "a-b",
        "Events",
        "events (2)",
    ]


def test_no_suppressed_count_can_be_worked_out_from_the_figures_shown(users):
    """Parents answered 20 'all of the time', 10 'most', 6 'some' and 2 'never': with
    'never' alone hidden, the shares shown give the respondent's total (38) and 'never'
    is 38 - 36. A second count is hidden with it, with its share, so that neither can be
    worked out, as on the investor's other pages."""
    r = make_referral("R-SUR", "derby")
    answers = {"all": 20, "most": 10, "some": 6, "never": 2}
    ClosingSurvey.objects.bulk_create(
        ClosingSurvey(
            referral=r, respondent="parent_carer", question="staff", answer=a, date=D(2024, 1, 8)
        )
        for a, n in answers.items()
        for _ in range(n)
    )
    tables = outcomes_report(scope_of(users["investor"]), Filters(), suppressed=True)
    surveys = next(t for t in tables if t.key == "surveys")
    parents = {row[1]: row[2:] for row in surveys.rows if row[0] == "Parent or carer"}
    assert parents["Never"] == ["c", "c"]
    assert parents["Some of the time"] == ["c", "c"]  # the next smallest, hidden with it
    assert parents["All of the time"] == [20, 20 / 38]
    assert parents["Most of the time"] == [10, 10 / 38]
    unsuppressed = outcomes_report(scope_of(users["investor"]), Filters(), suppressed=False)
    shown = next(t for t in unsuppressed if t.key == "surveys").rows
    assert [row[2] for row in shown if row[0] == "Parent or carer"] == [20, 10, 6, 2]


def test_the_cases_ended_are_hidden_where_they_would_give_away_those_still_in_placement(users):
    """8 graduated, 4 of them still in placement: the 4 and the other 4 are hidden, and 8
    shown beside them would say both are 4 (two hidden counts, each 1 to 4, summing to 8).
    The outcomes report hides the total then, as the evaluation report does
    (stars.domain.disclosure.suppress_group, decision 0012), and with it the share and its
    interval."""
    for i in range(8):
        _close(make_referral(f"R-S{i}", "derby"), "graduated", D(2024, 1, 8), stable=i < 4)
    tables = outcomes_report(scope_of(users["investor"]), Filters(), suppressed=True)
    graduated = _table(tables, "stability").rows[0]
    assert graduated == ["Graduated", "c", "c", "c", "c", "c"]
    shown = outcomes_report(scope_of(users["investor"]), Filters(), suppressed=False)
    assert _table(shown, "stability").rows[0][:4] == ["Graduated", 8, 4, 0.5]
