"""Reports of exact figures round each amount on its own and say so, once, beside their
money; a claim's figures are whole pence and add up, so it needs no such note
(docs/decisions/0017-money-to-the-penny.md)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.template import Context, Template
from django.urls import reverse

from stars.domain.money import ROUNDING_NOTE
from stars.finance.services import claim_prepare
from stars.partnership.models import Council

PAGES = [
    ("commissioner", "/finance/money/", {}),
    ("investor", "/finance/investor/", {}),
    ("evaluator", "/reports/evaluation/", {}),
    ("commissioner", "/reports/board/", {"quarter": "Q2 2024-25"}),
]


@pytest.mark.parametrize(("role", "path", "query"), PAGES)
def test_a_report_of_exact_figures_says_they_may_not_add_up(client, programme, role, path, query):
    client.force_login(programme[role])
    response = client.get(path, query)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert page.count(ROUNDING_NOTE) == 1


def test_the_note_is_one_paragraph_from_one_place():
    out = Template("{% load stars_format %}{% rounding_note %}").render(Context())
    assert out == f'<p class="govuk-body-s" data-testid="rounding-note">{ROUNDING_NOTE}</p>'


def test_a_claims_page_has_no_such_note_its_parts_add_up(client, programme):
    derby = Council.objects.get(code="derby")
    claim = claim_prepare(
        council=derby, month=dt.date(2024, 6, 1), by=None, today=dt.date(2024, 12, 1)
    )
    client.force_login(programme["commissioner"])
    page = client.get(reverse("claim_detail", args=["derby", claim.month_key]))
    assert page.status_code == 200
    assert ROUNDING_NOTE not in html.unescape(page.content.decode())
