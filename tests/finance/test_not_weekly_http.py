"""A line paid by the week shows its payable weeks and weekly rate; a line weeks do not
apply to (a guaranteed-funding fee, a milestone payment, what a maximum holds back) says
"Not weekly" rather than "0", and has no weekly rate (a blank, never 0.00), alike on the
claim's page and in its CSV, XLSX and PDF, over real HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from stars.finance import documents
from stars.finance.services import claim_approve, claim_prepare, claim_submit
from tests.finance.conftest import TODAY
from tests.live_http import Http

CLAIM = reverse("claim_detail", args=["derby", "2022-04"])


def _approved(derby, users):
    # the first claim catches up: R-DG's guaranteed fee (February) and R-DER's April weeks
    claim = claim_prepare(
        council=derby, month=dt.date(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    claim_submit(claim=claim, by=users["provider_manager"])
    return claim_approve(claim=claim, by=users["commissioner"])


def _rows(html: str) -> dict[str, list[str]]:
    """The claim lines' table: each row's cells (tags stripped) by the row's referral."""
    table = html[html.index('data-testid="claim-lines"') :]
    table = table[: table.index("</table>")]
    out = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        cells = [" ".join(c.split()) for c in cells]
        out[cells[0].split()[0]] = cells
    return out


def test_a_fee_line_says_not_weekly_on_the_page_and_in_every_document(
    live_server, users, money_referrals, derby, monkeypatch
):
    _approved(derby, users)
    web = Http(live_server)
    web.sign_in("commissioner")

    status, _, page = web.request("GET", CLAIM)
    assert status == 200
    rows = _rows(page.decode())
    assert rows["R-DG"][3] == "Not weekly" and rows["R-DG"][4] == ""  # nor a weekly rate
    assert rows["R-DER"][3] == "2" and rows["R-DER"][4] == "£400.00"

    status, _, body = web.request("GET", CLAIM + "?format=csv")
    assert status == 200
    lines = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {r["referral_id"]: r["payable_weeks"] for r in lines} == {
        "R-DER": "2",
        "R-DG": "Not weekly",
    }
    # a blank in the numeric column, as on the page: a fee has no weekly rate, not 0.00
    assert {r["referral_id"]: r["weekly_rate"] for r in lines} == {"R-DER": "400.00", "R-DG": ""}

    status, _, body = web.request("GET", CLAIM + "?format=xlsx")
    assert status == 200
    sheet = load_workbook(io.BytesIO(body))["Lines"]
    head, *lines = sheet.iter_rows(values_only=True)
    at = head.index("payable_weeks")
    assert {r[1]: r[at] for r in lines} == {"R-DER": 2, "R-DG": "Not weekly"}
    rate = head.index("weekly_rate")
    assert {r[1]: r[rate] for r in lines} == {"R-DER": 400, "R-DG": None}  # an empty cell

    printed: list[str] = []
    made = documents.pdf
    monkeypatch.setattr(documents, "pdf", lambda html: printed.append(html) or made(html))
    status, _, body = web.request("GET", CLAIM + "?format=pdf")
    assert status == 200 and body.startswith(b"%PDF")
    (html,) = printed
    fee = html[html.index("<td>R-DG</td>") :]
    fee = fee[: fee.index("</tr>")]
    assert '<td class="num">Not weekly</td>' in fee and ">0<" not in fee
    der = html[html.index("<td>R-DER</td>") :]
    assert '<td class="num">2</td>' in der[: der.index("</tr>")]
