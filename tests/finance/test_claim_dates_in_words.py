"""A claim's page says when it was prepared as running text says a date: "12 January 2023
at 09:30", never an abbreviated month."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stars.finance.services import claim_prepare
from tests.finance.conftest import TODAY

APRIL = dt.date(2022, 4, 1)


def test_a_claims_page_and_its_confirmation_say_when_it_was_prepared_in_words(
    money_referrals, derby, users, client
):
    at = timezone.make_aware(dt.datetime(2022, 12, 1, 9, 30))
    claim = claim_prepare(
        council=derby, month=APRIL, by=users["provider_manager"], today=TODAY, at=at
    )
    client.force_login(users["provider_manager"])
    page = client.get(f"/finance/claims/derby/{claim.month:%Y-%m}/").content.decode()
    assert "prepared 1 December 2022 at 09:30" in page
    assert "1 Dec 2022" not in page
    page = client.get(f"/finance/claims/derby/{claim.month:%Y-%m}/submit/").content.decode()
    assert "prepared 1 December 2022 at 09:30" in page
