"""A claim's totals are cached per version of the claims, their lines and their funds
(``CLAIM_PARTS``). A claim's funds have no history: their version is their row count and
last id, which moves only because the funds are replaced (deleted and created anew), never
edited in place. Preparing a claim again, through the service or its page, is the one way
the product changes a claim's funds: the totals shown change at once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stars.core.cache import data_version
from stars.finance.models import ClaimFund, ClaimLine
from stars.finance.selectors import CLAIM_PARTS, claim_totals_of
from stars.finance.services import claim_prepare
from tests.finance.conftest import TODAY, load_contract

pytestmark = pytest.mark.django_db

APRIL = dt.date(2022, 4, 1)  # Derby's first claim: £800 of outcome payments and a fee


def _funds(totals) -> dict[str, Decimal]:
    return {f.name: f.amount for f in totals.funds}


def _lines(claim) -> list[tuple]:
    return list(
        ClaimLine.objects.filter(claim=claim)
        .order_by("referral_id", "kind", "component")
        .values_list("referral_id", "kind", "component", "amount")
    )


def _fund_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "finance_claimfund" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_preparing_a_claim_again_with_other_funds_gives_their_totals_at_once(
    money_referrals, derby, users
):
    load_contract("9120000.00", funds=True, top_up="0.1")
    claim = claim_prepare(council=derby, month=APRIL, by=users["provider_manager"], today=TODAY)
    first = claim_totals_of(claim)
    assert _funds(first) == {"Life Chances Fund": Decimal(200), "Top-up": Decimal(80)}
    with CaptureQueriesContext(connection) as ctx:
        assert claim_totals_of(claim) == first  # from the cache: no fund or line read
    read = [q["sql"] for q in ctx.captured_queries]
    assert not [sql for sql in read if '"finance_claimfund"' in sql or '"finance_claimline"' in sql]
    lines = _lines(claim)

    load_contract("9120000.00", funds=True, top_up="0.2")  # the contract's Top-up doubled
    with CaptureQueriesContext(connection) as ctx:
        claim = claim_prepare(council=derby, month=APRIL, by=users["provider_manager"], today=TODAY)
    writes = _fund_writes(ctx.captured_queries)
    assert writes and not [w for w in writes if w.lstrip().upper().startswith("UPDATE")]
    assert _lines(claim) == lines  # the same lines: only the funds changed
    again = claim_totals_of(claim)
    assert _funds(again) == {"Life Chances Fund": Decimal(200), "Top-up": Decimal(160)}
    assert again.total == first.total
    assert again.council_cost == first.council_cost - Decimal(80)


def _shown(page: str) -> dict[str, str]:
    """The claim page's totals: each row's label and amount."""
    block = re.search(r'data-testid="claim-totals">(.*?)</dl>', page, re.S).group(1)
    rows = re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", block, re.S)
    return {re.sub(r"<[^>]+>|\s*\(.*", "", k).strip(): re.sub(r"<[^>]+>", "", v) for k, v in rows}


def test_the_claim_page_shows_the_new_funds_once_the_claim_is_prepared_again(
    client, money_referrals, derby, users
):
    load_contract("9120000.00", funds=True, top_up="0.1")
    client.force_login(users["provider_manager"])
    detail = reverse("claim_detail", args=["derby", "2022-04"])
    prepare = reverse("claim_prepare", args=["derby", "2022-04"])
    assert client.post(prepare).status_code == 302
    first = _shown(client.get(detail).content.decode())
    assert first["Top-up share"] == "£80.00"
    assert _shown(client.get(detail).content.decode()) == first  # served again, from the cache

    load_contract("9120000.00", funds=True, top_up="0.2")
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(prepare).status_code == 302
    writes = _fund_writes(ctx.captured_queries)
    assert writes and not [w for w in writes if w.lstrip().upper().startswith("UPDATE")]
    shown = _shown(client.get(detail).content.decode())
    assert shown["Top-up share"] == "£160.00"
    assert shown["Life Chances Fund share"] == first["Life Chances Fund share"] == "£200.00"
    assert shown["Total claimed"] == first["Total claimed"]
    assert (
        shown["Council cost after the outcome funds"]
        != first["Council cost after the outcome funds"]
    )


def test_funds_replaced_alone_give_a_new_version_and_edited_in_place_would_not(
    money_referrals, derby, users
):
    """What the cache relies on: replacing a claim's funds (the same number of rows, as
    preparing it again does) moves the version by itself, with no change to the claim or
    its lines, because new rows take new ids (never reused, on SQLite or PostgreSQL). An
    UPDATE in place would keep the count and last id: the product never does one."""
    load_contract("9120000.00", funds=True)
    claim = claim_prepare(council=derby, month=APRIL, by=users["provider_manager"], today=TODAY)
    before, funds_before = data_version(CLAIM_PARTS), data_version((ClaimFund,))
    first = claim_totals_of(claim)

    ClaimFund.objects.filter(claim=claim).update(amount=Decimal(1))
    assert data_version((ClaimFund,)) == funds_before  # why funds are never edited in place

    old = list(ClaimFund.objects.filter(claim=claim).order_by("pk"))
    ClaimFund.objects.filter(claim=claim).delete()
    ClaimFund.objects.bulk_create(
        ClaimFund(claim=claim, name=f.name, share=f.share, cap=f.cap, amount=Decimal(7))
        for f in old
    )
    assert ClaimFund.objects.filter(claim=claim).count() == len(old)
    assert data_version((ClaimFund,)) != funds_before
    assert data_version(CLAIM_PARTS) != before
    again = claim_totals_of(claim)
    assert _funds(again) == {f.name: Decimal(7) for f in old} != _funds(first)
