"""The board report card: the evaluation report's figures for a quarter, with change lines,
data quality, council scope, PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from stars.core.templatetags.stars_format import money as format_gbp
from stars.domain.calendar import parse_quarter
from stars.domain.contract.parsing import parse_contract
from stars.domain.money import ROUNDING_NOTE, funds_named
from stars.domain.outcomes.claims import ABOVE_MAXIMUM_LABEL
from stars.partnership.selectors import contract_current
from stars.reports.card import (
    card_context,
    card_html,
    card_pdf,
    card_xlsx,
    money_labels,
)
from stars.reports.evaluation import evaluation_for

Q = parse_quarter("Q2 2024-25")


def _section(context, key):
    return next(s for s in context["sections"] if s.key == key)


def test_the_card_shows_the_evaluation_reports_figures_and_their_change(programme):
    context = card_context(scope=None, quarter=Q, suppressed=False)
    now = evaluation_for(scope=None, as_of=dt.date(2024, 9, 30))
    before = evaluation_for(scope=None, as_of=dt.date(2024, 6, 30))
    assert context["report"] == now
    refs = _section(context, "referrals")
    delta = now["referrals"]["total"] - before["referrals"]["total"]
    assert refs.headline.startswith(f"{now['referrals']['total']} referrals against a minimum")
    assert f"(+{delta} since Q1 2024-25)" in refs.headline
    by_cohort = {row[0][0]: row[2] for row in refs.table.rows[:4]}
    assert by_cohort == now["referrals"]["by_cohort"]
    money = {row[0]: row[1] for row in _section(context, "money").table.rows}
    assert money["Outcome payments"] == Decimal(str(now["finance"]["outcome_payments"]))
    assert money["Cashable savings"] == Decimal(str(now["finance"]["cashable_savings"]))
    live = now["cases"]["status"]["live"]
    assert _section(context, "cases").headline.startswith(f"{live} live cases")
    checks = {c.what: c for c in context["checks"]}
    assert checks["Councils' referrals add up to the total"].ok


def test_the_headlines_name_what_they_add_up_and_agree_with_their_tables(programme):
    """The money headline is the outcome payments and the guaranteed-funding fees (not
    "earned for outcomes": the fees are not outcomes, and earned above a maximum is not
    paid); the closed-early share is the key measures' own, to the same tenth of a percent."""
    context = card_context(scope=None, quarter=Q, suppressed=False)
    money = {row[0]: row[1] for row in _section(context, "money").table.rows}
    paid = format_gbp(money["Outcome payments"] + money["Guaranteed-funding payments"])
    assert _section(context, "money").headline.startswith(
        f"{paid} payable in outcome payments and guaranteed-funding fees to date ("
    )
    rate = {row[0]: row[1] for row in _section(context, "measures").table.rows}
    share = f"{rate['Ended cases closed early']:.1%}"  # the table holds the rate itself
    assert _section(context, "cases").headline.endswith(f"; {share} of ended cases closed early")


def test_the_data_quality_section_finds_a_referral_with_no_period(programme):
    from stars.cases.models import OutcomePeriod
    from stars.referrals.models import Referral

    ref = Referral.objects.filter(referral_date__lte=Q.end).order_by("referral_id").first()
    OutcomePeriod.objects.filter(referral=ref).delete()
    context = card_context(scope=None, quarter=Q, suppressed=False)
    check = next(c for c in context["checks"] if c.what.startswith("Referrals with no outcome"))
    assert not check.ok and int(check.found) >= 1


def test_a_commissioner_sees_their_council_and_downloads_pdf_and_xlsx(client, programme):
    client.force_login(programme["commissioner"])
    page = client.get("/reports/board/", {"quarter": Q.label}).content.decode()
    derby = evaluation_for(scope=None, as_of=Q.end)["referrals"]["by_local_authority"]["derby"]
    assert f"{derby} referrals against a minimum of" in page
    assert "Nottingham City Council" not in page.split("<main")[1]
    assert "Data quality" in page
    pdf = client.get("/reports/board/", {"quarter": Q.label, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get("/reports/board/", {"quarter": Q.label, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"Summary", "Referrals against targets", "Data quality"} <= set(book.sheetnames)
    sheet = book["Referrals against targets"]
    assert sheet.cell(row=sheet.max_row, column=3).value == derby


def test_a_bad_quarter_is_answered_with_the_form_and_a_clear_error(client, programme):
    client.force_login(programme["provider_manager"])
    response = client.get("/reports/board/", {"quarter": "Q5 2024"})
    assert response.status_code == 400
    assert "expected a label like Q3 2024-25" in response.content.decode()


@pytest.mark.parametrize("role", ["investor", "evaluator"])
def test_aggregate_roles_see_suppressed_counts_and_no_record_level_checks(client, programme, role):
    client.force_login(programme[role])
    page = client.get("/reports/board/", {"quarter": "Q3 2021-22"}).content.decode()
    assert "Counts from 1 to 4" in page
    assert "Data quality" not in page
    cases = _section(card_context(scope=None, quarter=Q, suppressed=True), "cases")
    assert cases.headline.endswith("; the share of ended cases closed early is not shown")


def test_before_any_case_has_ended_the_card_says_so(programme):
    first = parse_quarter("Q2 2020-21")  # the programme began in September 2020
    cases = _section(card_context(scope=None, quarter=first, suppressed=False), "cases")
    assert cases.headline.endswith("; no case has ended yet")


def test_spocs_do_not_see_the_board_card(client, programme):
    client.force_login(programme["spoc"])
    assert client.get("/reports/board/").status_code == 403


def test_pdf_and_xlsx_from_the_service(programme):
    context = card_context(scope=None, quarter=Q, suppressed=False)
    from weasyprint import HTML

    assert card_pdf(context).startswith(b"%PDF")
    assert len(HTML(string=card_html(context)).render().pages) >= 2  # A4 pages, numbered
    book = load_workbook(io.BytesIO(card_xlsx(context)))
    money = book["Outcome payments and savings"]
    values = {
        money.cell(row=r, column=1).value: money.cell(row=r, column=2).value
        for r in range(2, money.max_row + 1)
    }
    assert Decimal(str(values["Outcome payments"])) == Decimal(
        str(context["report"]["finance"]["outcome_payments"])
    )


def test_the_workbooks_money_changes_are_signed_numbers_that_add_up(programme):
    context = card_context(scope=None, quarter=Q, suppressed=False)
    now = evaluation_for(scope=None, as_of=Q.end)
    before = evaluation_for(scope=None, as_of=Q.previous().end)
    book = load_workbook(io.BytesIO(card_xlsx(context)))
    money = book["Outcome payments and savings"]
    assert money.cell(row=1, column=3).value == "Change since Q1 2024-25"
    changes = {
        money.cell(row=r, column=1).value: money.cell(row=r, column=3)
        for r in range(2, money.max_row + 1)
    }
    cell = changes["Outcome payments"]
    assert isinstance(cell.value, int | float), cell.value
    assert cell.number_format.startswith("+£#,##0.00;")
    delta = Decimal(str(now["finance"]["outcome_payments"])) - Decimal(
        str(before["finance"]["outcome_payments"])
    )
    assert Decimal(str(cell.value)) == delta
    # the page still shows the sign joined to its amount
    shown = card_html(context)
    assert f"+\u2060£{delta:,.2f}" in shown or delta <= 0


def test_the_maximum_outcome_payment_is_measured_against_outcome_payments_alone(programme):
    """Guaranteed-funding fees are not outcome payments: the card's note about the
    contract's maximum counts outcome payments only (as the money page and claims do)."""
    context = card_context(scope=None, quarter=Q, suppressed=False)
    now = evaluation_for(scope=None, as_of=dt.date(2024, 9, 30))
    cap = contract_current().maximum_outcome_payment
    share = Decimal(str(now["finance"]["outcome_payments"])) / cap
    note, rounding = _section(context, "money").notes
    assert rounding == ROUNDING_NOTE
    assert note.startswith(f"{share:.0%} of the contract's maximum outcome payment")
    assert "guaranteed-funding fees apart" in note


def test_past_the_maximum_the_card_says_what_is_not_payable(programme, monkeypatch):
    """The card stated the outcome payments earned past the maximum as paid; now it states
    what is payable, with what was earned above the maximum as a line of its own."""
    from dataclasses import replace

    from stars.reports import card, evaluation

    now = evaluation_for(scope=None, as_of=dt.date(2024, 9, 30))
    earned = Decimal(str(now["finance"]["outcome_payments"]))
    cap = earned - Decimal("1000.50")
    small = replace(contract_current(), maximum_outcome_payment=cap)
    monkeypatch.setattr(card, "contract_current", lambda: small)
    monkeypatch.setattr(evaluation, "contract_current", lambda: small)
    section = _section(card_context(scope=None, quarter=Q, suppressed=False), "money")
    _, note, _ = section.notes
    assert "pass a maximum outcome payment" in note
    assert "£1,000.50 earned above the maximum is not payable" in note
    rows = {r[0]: r[1] for r in section.table.rows}
    assert rows["Outcome payments payable"] == cap
    assert rows[ABOVE_MAXIMUM_LABEL] == Decimal("1000.50")
    assert rows["Outcome payments payable"] + rows[ABOVE_MAXIMUM_LABEL] == earned
    # savings are compared with what is payable
    assert rows["Net cash saving"] == (
        rows["Cashable savings"] - cap - rows["Guaranteed-funding payments"]
    )


def test_the_card_names_the_contracts_outcome_funds():
    contracts = Path(__file__).resolve().parents[2] / "contracts"
    dn2 = (contracts / "dn2-stars.toml").read_text(encoding="utf-8")
    stepdown = (contracts / "birmingham-stepdown.toml").read_text(encoding="utf-8")
    two = stepdown.replace(
        "[[local_authority]]",
        '[[outcome_fund]]\nname = "County Top-up"\nshare = 0.05\n\n[[local_authority]]',
        1,
    )
    # the one fund of lcf_share is the Life Chances Fund
    assert funds_named([f.name for f in parse_contract(dn2).funds]) == "Life Chances Fund"
    assert funds_named([f.name for f in parse_contract(stepdown).funds]) == "Social Outcomes Fund"
    assert funds_named([f.name for f in parse_contract(two).funds]) == "outcome funds"
    labels = money_labels(parse_contract(stepdown)).values()
    assert "Social Outcomes Fund share" in labels
    assert "Council cost after the Social Outcomes Fund" in labels
    # several: the row began in lower case, "outcome funds share"
    labels = money_labels(parse_contract(two)).values()
    assert "Outcome funds' share" in labels
    assert "Council cost after the outcome funds" in labels


def _rows(context, key):
    return {tuple(row[:-2]): row for row in _section(context, key).table.rows}


def test_an_investors_card_gives_no_hidden_count_away_by_its_changes(programme):
    """A change beside a hidden count, or a change from last quarter's hidden count, would
    give that count away ("c" beside "+4"; 5 beside "+4" is last quarter's 1): the change of
    a count is shown only when both quarters' counts are, re-referrals and guaranteed-funding
    referrals are hidden from 1 to 4 too, and the closed-early rate is shown in the table
    only where the headline shows it."""
    quarters = [parse_quarter(q) for q in ("Q3 2020-21", "Q4 2020-21", "Q1 2021-22")]
    cards = {q: card_context(scope=None, quarter=q, suppressed=True) for q in quarters}
    cards[quarters[0].previous()] = card_context(
        scope=None, quarter=quarters[0].previous(), suppressed=True
    )
    hidden_changes = 0
    for q in quarters:
        now, before = cards[q], cards[q.previous()]
        for key in ("pipeline", "cases", "measures"):
            prev_rows = _rows(before, key)
            for name, row in _rows(now, key).items():
                shown, change = row[-2], row[-1]
                if "c" in (shown, prev_rows[name][-2]):
                    assert change == "c", (q.label, key, row, prev_rows[name])
                    hidden_changes += 1
        measures = {row[0]: row[1] for row in _section(now, "measures").table.rows}
        for name in ("Re-referrals", "Guaranteed-funding referrals"):
            assert measures[name] not in (1, 2, 3, 4)
        cases = _section(now, "cases").headline
        assert cases.endswith("not shown") == (measures["Ended cases closed early"] == "c")
        pipeline = {row[0]: row[1] for row in _section(now, "pipeline").table.rows}
        assert (
            f", {pipeline['Progressed to referral']} progressed, "
            in _section(now, "pipeline").headline
        )
    assert hidden_changes  # the quarters chosen do hide some counts


def test_the_pipeline_headline_reads_no_change_in_enquiries(programme):
    """It read '(no change enquiries since Q1 ...)' when no enquiry had come in."""
    last = parse_quarter("Q2 2026-27")  # long after the fixture's last enquiry
    pipeline = _section(card_context(scope=None, quarter=last, suppressed=False), "pipeline")
    assert pipeline.headline.endswith("(no change in enquiries since Q1 2026-27)")


def test_the_workbooks_summary_and_checks_hold_no_invisible_characters_and_counts_are_numbers(
    programme,
):
    """The summary's headlines held the word joiner the money formatter puts between a sign
    and its amount (U+2060), and the data-quality counts were text: Excel showed a green
    "number stored as text" triangle and would not add them up."""
    context = card_context(scope=None, quarter=Q, suppressed=False)
    book = load_workbook(io.BytesIO(card_xlsx(context)))
    summary = [c.value for row in book["Summary"].iter_rows() for c in row]
    assert any("£" in str(v) for v in summary)  # the money headline is there
    assert not any("\u2060" in str(v) or "\u00a0" in str(v) for v in summary)
    checks = book["Data quality"]
    found = {
        checks.cell(row=r, column=1).value: checks.cell(row=r, column=2)
        for r in range(2, checks.max_row + 1)
    }
    cell = found["Referrals with no outcome period recorded"]
    assert (type(cell.value), cell.data_type) == (int, "n")
    money = book["Outcome payments and savings"]
    for r in range(2, money.max_row + 1):
        amount = money.cell(row=r, column=2)
        assert amount.data_type == "n" and amount.number_format.startswith("£#,##0.00"), r


def test_the_key_measures_show_counts_with_thousands_separated_and_stay_numbers_in_xlsx(
    client, programme
):
    """The weeks sustained were printed 17742 in the key measures table (page and PDF): they
    read 17,742 as the headline above them does; the workbook keeps them a number."""
    weeks = evaluation_for(scope=None, as_of=Q.end)["finance"]["sustained_weeks"]
    assert weeks >= 1000
    cell = f'<td class="govuk-table__cell stars-num">{weeks:,}</td>'
    client.force_login(programme["provider_manager"])
    page = client.get("/reports/board/", {"quarter": Q.label}).content.decode()
    measures = page.split('data-testid="measures"')[1].split("</table>")[0]
    assert cell in measures and f">{weeks}<" not in measures
    context = card_context(scope=None, quarter=Q, suppressed=False)
    assert cell in card_html(context).split('data-testid="measures"')[1].split("</table>")[0]
    sheet = load_workbook(io.BytesIO(card_xlsx(context)))["Key measures"]
    found = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2) for r in range(2, 9)}
    now = found["Placement or home sustained (weeks)"]
    assert (now.value, now.data_type) == (weeks, "n")


def test_an_investors_cards_quarter_after_quarter_show_no_small_change(programme):
    """A change of 1 to 4 since last quarter is that many children referred, enquiring,
    closing (decision 0018): quarter after quarter, every change the card prints is 0 or
    5 or more, and a count the card printed for a quarter it prints the same (or hides) on
    the next quarter's card, so a count hidden between two shown is never pinned by them."""
    quarters = [parse_quarter(q) for q in ("Q4 2020-21", "Q1 2021-22", "Q2 2021-22")]
    cards = [card_context(scope=None, quarter=q, suppressed=True) for q in quarters]
    changes = 0
    for context in cards:
        for key in ("referrals", "pipeline", "cases", "measures"):
            section = _section(context, key)
            assert "+1 " not in section.headline and "-1 " not in section.headline
            if key == "referrals":
                continue
            for row in section.table.rows:
                change = row[-1]
                if isinstance(change, int):
                    assert change == 0 or abs(change) >= 5, (key, row)
                    changes += 1
    assert changes  # some changes are shown
