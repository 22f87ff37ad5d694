"""The dispute form over real HTTP: each line as the claim's page shows it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from stars.core.templatetags.stars_format import money
from stars.finance.models import ClaimLine, Component, LineKind
from stars.finance.services import claim_prepare, claim_submit
from tests.finance.conftest import TODAY
from tests.live_http import Http


def _submitted(derby, users):
    claim = claim_prepare(
        council=derby, month=dt.date(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    return claim_submit(claim=claim, by=users["provider_manager"])


def test_the_dispute_form_shows_a_negative_line_as_the_pages_do(
    live_server, users, money_referrals, derby
):
    """An adjustment down (or a line over the maximum) is "−£400.00", as on the claim's page,
    not "£-400.00"."""
    claim = _submitted(derby, users)
    ClaimLine.objects.create(
        claim=claim,
        referral=money_referrals["derby"],
        kind=LineKind.ADJUSTMENT,
        component=Component.OUTCOME,
        payable_weeks=-1,
        rate=Decimal("400"),
        amount=Decimal("-400.00"),
        rule="a correction to March 2022",
    )
    web = Http(live_server)
    web.sign_in("commissioner")
    status, _, page = web.request("GET", reverse("claim_dispute", args=["derby", "2022-04"]))
    assert status == 200
    text = page.decode()
    assert "R-DER (C-R-DER): Adjustment (outcome payment), \u2212\u2060£400.00</label>" in text
    assert "£-" not in text


def _radios(text: str) -> list[tuple[str, bool]]:
    """The form's radios for the line: (value, checked) each."""
    found = re.findall(r'<input class="govuk-radios__input"[^>]*name="line"[^>]*>', text)
    return [(re.search(r'value="([^"]*)"', r).group(1), " checked" in r) for r in found]


def test_the_dispute_form_offers_each_line_as_a_radio_the_linked_one_checked(
    live_server, users, money_referrals, derby
):
    claim = _submitted(derby, users)
    lines = list(claim.lines.order_by("referral__referral_id", "id"))
    assert len(lines) >= 2
    chosen = lines[1]
    web = Http(live_server)
    web.sign_in("commissioner")
    url = reverse("claim_dispute", args=["derby", "2022-04"])
    status, _, page = web.request("GET", f"{url}?line={chosen.pk}")
    assert status == 200
    text = page.decode()
    assert "<select" not in text
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Line disputed' in text
    assert _radios(text) == [(str(x.pk), x.pk == chosen.pk) for x in lines]
    der = next(x for x in lines if x.referral.referral_id == "R-DER")
    assert f"R-DER (C-R-DER): Outcome payment, {money(der.amount)}</label>" in text
    # opened from the claim's "Dispute a line" button: nothing is chosen for the user
    _, _, page = web.request("GET", url)
    assert not any(checked for _, checked in _radios(page.decode()))


def test_a_dispute_posted_without_a_line_says_so_and_saves_nothing(
    live_server, users, money_referrals, derby
):
    claim = _submitted(derby, users)
    web = Http(live_server)
    web.sign_in("commissioner")
    url = reverse("claim_dispute", args=["derby", "2022-04"])
    token = web.form_token(url)
    status, _, page = web.request(
        "POST",
        url,
        urlencode({"reason": "Placement ended", "csrfmiddlewaretoken": token}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    text = page.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in text
    assert '<a href="#id_line_0">Select the line disputed</a>' in text
    assert (
        '<p class="govuk-error-message" id="id_line-error"><span class="govuk-visually-hidden">'
        "Error:</span> Select the line disputed</p>" in text
    )
    assert "<title>Error: " in text
    assert "Placement ended</textarea>" in text  # what was typed is kept
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert not claim.lines.filter(disputed=True).exists()
