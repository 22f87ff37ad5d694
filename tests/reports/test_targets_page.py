"""The targets page draws its charts once per version of the records, not on every visit,
and still shows a change at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from stars.core import charts
from stars.reports import targets

URL = reverse("targets") + "?as_of=2024-12-31"


def _no_drawing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chart drawn while the user waits")

    monkeypatch.setattr(charts, "svg", refuse)


@pytest.mark.parametrize("who", ["commissioner", "investor"])
def test_a_second_visit_draws_no_chart_and_shows_the_same_page(
    client, users, referrals, who, monkeypatch
):
    client.force_login(users[who])
    first = client.get(URL)
    assert first.status_code == 200
    if who == "commissioner":  # the investor's two referrals are hidden, and so their charts
        assert "<svg" in first.content.decode()
    _no_drawing(monkeypatch)
    again = client.get(URL)
    assert again.status_code == 200
    for key in ("by_council", "by_cohort", "by_year", "funnels", "year_chart", "funnel_chart"):
        assert again.context[key] == first.context[key], key
    assert again.context["aggregate_only"] == first.context["aggregate_only"]


def test_the_cached_figures_are_kept_apart_per_scope(client, users, referrals):
    client.force_login(users["investor"])  # programme-wide, aggregate figures only
    investor = client.get(URL).context
    client.force_login(users["commissioner"])  # one council
    commissioner = client.get(URL).context
    assert investor["by_cohort"] and not commissioner["by_cohort"]
    assert len(commissioner["by_council"]) == 1 < len(investor["by_council"])


def test_a_change_to_the_records_is_drawn_again(client, users, referrals, monkeypatch):
    client.force_login(users["investor"])
    client.get(URL)
    drawn = []
    real = targets.targets_context
    monkeypatch.setattr(
        targets, "targets_context", lambda *a, **k: drawn.append(1) or real(*a, **k)
    )
    client.get(URL)
    assert drawn == []
    r = referrals["derby"]
    r.referral_date = r.referral_date - dt.timedelta(days=1)
    r.save()
    client.get(URL)
    assert drawn == [1]


def test_an_investor_sees_small_counts_hidden_as_on_the_board_card(client, users, referrals):
    """The targets page showed an investor every count (a council's 1, a cohort's 1, a
    funnel of 1-1-1-1) that the board card of the same day hid: the same rule now hides them
    here, with whatever would give one away (a shortfall, a penalty, a projection, a
    funnel's step)."""
    from stars.core.permissions import scope_of
    from stars.domain.disclosure import SUPPRESSED, is_small

    day = dt.date(2024, 12, 31)  # R-DER and R-NOT: one referral each
    client.force_login(users["investor"])
    ctx = client.get(reverse("targets"), {"as_of": day.isoformat()}).context
    full = targets.targets_context(scope_of(users["admin"]), day)  # every count
    assert any(is_small(t.actual) for t in [*full["by_cohort"], *full["by_council"]])
    lines = [
        *ctx["by_cohort"],
        *[t for t, _ in ctx["penalties"]],
        *[y["line"] for y in ctx["by_year"]],
    ]
    hidden = 0
    for t in lines:
        actual = t["actual"] if isinstance(t, dict) else t.actual
        assert not (isinstance(actual, int) and is_small(actual)), t
        if actual == SUPPRESSED:
            hidden += 1
            if "shortfall" in t:
                assert t["shortfall"] == SUPPRESSED
    assert hidden
    assert all(p == SUPPRESSED for t, p in ctx["penalties"] if isinstance(t, dict))
    for _, stages in [*ctx["funnels"], *ctx["cohort_funnels"]]:
        counts = [n for _, n in stages]
        assert not any(isinstance(n, int) and is_small(n) for n in counts), counts
        for a, b in zip(counts, counts[1:], strict=False):
            if SUPPRESSED not in (a, b):
                assert not is_small(a - b), counts
    assert ctx["year_chart"] == ctx["funnel_chart"] == ""
    page = client.get(reverse("targets"), {"as_of": day.isoformat()}).content.decode()
    assert 'shown as "c"' in page and "<svg" not in page


def test_an_investor_cannot_work_out_a_councils_hidden_referrals_from_its_funnel(
    client, users, contract
):
    """The funnels showed each council's accepted referrals by their own rule (a funnel's
    steps) while the table above hid them: with six referrals in Derby and one in
    Nottingham, the table hid both (one hidden count would be the total less the other),
    and Derby's funnel printed 6, so Nottingham's was the total, 7, less 6. The funnels'
    accepted referrals are now the table's, as the board card and the investor view show
    them."""
    from tests.conftest import make_referral

    for n in range(6):
        make_referral(f"R-D{n}", "derby")
    make_referral("R-N0", "nottingham")
    client.force_login(users["investor"])
    ctx = client.get(URL).context
    table = {t.label if not isinstance(t, dict) else t["label"]: t for t, _ in ctx["penalties"]}
    for name, stages in ctx["funnels"]:
        line = table[name]
        actual = line["actual"] if isinstance(line, dict) else line.actual
        assert stages[-1][1] == actual, (name, stages, actual)
    assert dict(ctx["funnels"])["Derby City Council"][-1][1] == "c"


def test_a_councils_page_says_the_contract_year_minimums_are_the_programmes(
    client, users, referrals
):
    """A commissioner's accepted referrals are their council's, but each contract year's
    minimum is every council's together: the page says so beside the year table (as the
    board card does of cohort minimums), and not to a user of the whole programme."""
    note = "Contract-year minimums are set for the whole programme, not per council"
    client.force_login(users["commissioner"])  # Derby's
    assert note in client.get(URL).content.decode()
    client.force_login(users["provider_manager"])
    assert note not in client.get(URL).content.decode()


def test_a_penalty_is_shown_as_projected_until_the_referral_period_ends(client, users, referrals):
    """Three months before DN2's referral period ended the page showed Derby's penalty as
    owed; it is projected until the period ends on 31 March 2025, then due."""
    client.force_login(users["provider_manager"])
    before = client.get(reverse("targets"), {"as_of": "2024-12-31"})
    html = before.content.decode()
    assert "Projected penalty at £1,500.00 each" in html
    assert "No penalty is due before the referral period ends on 31 March 2025" in html
    derby = dict((t.label, p) for t, p in before.context["penalties"])["Derby City Council"]
    assert not derby.due
    after = client.get(reverse("targets"), {"as_of": "2025-04-01"})
    html = after.content.decode()
    assert "Penalty at £1,500.00 each" in html and "Projected penalty" not in html
    assert "No penalty is due before" not in html
    derby = dict((t.label, p) for t, p in after.context["penalties"])["Derby City Council"]
    assert derby.due and derby.amount == 43 * 1500


def test_the_current_year_shows_a_projection_of_none_referred_as_zero(client, users, referrals):
    """A contract year under way with no referral yet left its "Projected at the current
    rate" cell empty, as if the page could not project it: a pace of none projects 0.0,
    and the years past show no projection."""
    import re

    client.force_login(users["commissioner"])  # R-DER was referred in year 2, on 10 Jan 2022
    html = client.get(reverse("targets"), {"as_of": "2022-10-03"}).content.decode()
    table = html.split('data-testid="targets-year"')[1].split("</table>")[0]
    cells = {
        row[0]: row[-1]
        for row in (
            [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", r)]
            for r in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)
        )
    }
    assert cells["Year 3"] == "0.0"
    assert cells["Year 2"] == ""


def _derby_row(html: str) -> str:
    table = html[html.index('data-testid="targets-council"') :]
    row = table[table.index("Derby City Council") :]
    return row[: row.index("</tr>")]


def test_a_shortfall_is_shown_as_projected_not_in_red_until_the_referral_period_ends(
    client, users, referrals
):
    """Before DN2's referral period ended the page showed Derby's shortfall in red, an
    alarm, beside a penalty only projected: until the period ends the shortfall is the
    projected one, the penalty's, headed and styled as a projection; after, it is final,
    in red."""
    client.force_login(users["provider_manager"])
    before = client.get(reverse("targets"), {"as_of": "2024-12-31"})
    html = before.content.decode()
    projected = dict((t.label, p) for t, p in before.context["penalties"])["Derby City Council"]
    assert ">Projected shortfall</th>" in html and ">Shortfall</th>" not in html
    assert ">Still to make</th>" in html  # a cohort's minimum less its referrals so far
    row = _derby_row(html)
    assert "govuk-tag--red" not in row
    assert f'<td class="govuk-table__cell stars-num">{projected.shortfall}</td>' in row
    assert "The projected shortfall and penalty are what they would be" in html
    after = client.get(reverse("targets"), {"as_of": "2025-04-01"})
    html = after.content.decode()
    assert html.count(">Shortfall</th>") == 2  # the councils' and the cohorts'
    assert "Projected shortfall" not in html and "Still to make" not in html
    assert '<strong class="govuk-tag govuk-tag--red">43</strong>' in _derby_row(html)
