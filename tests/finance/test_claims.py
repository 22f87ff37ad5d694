"""Claims through their services: lines from the engine, locking, adjustments, review."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from stars.domain.calendar import months_between, next_month
from stars.domain.outcomes.engine import outcome_payments_as_of
from stars.finance import engine_bridge
from stars.finance.models import ClaimLine, ClaimStatus, OutcomeClaim
from stars.finance.services import (
    ClaimError,
    claim_approve,
    claim_dispute_line,
    claim_prepare,
    claim_submit,
)
from stars.partnership.selectors import contract_current
from tests.conftest import make_referral
from tests.finance.conftest import TODAY, add_period

D = dt.date
LATER = D(2030, 1, 1)


def run(council, month, users, today=TODAY):
    """Prepare, submit and approve one month's claim."""
    claim = claim_prepare(council=council, month=month, by=users["provider_manager"], today=today)
    claim_submit(claim=claim, by=users["provider_manager"])
    return claim_approve(claim=claim, by=users["commissioner"])


def lines(claim):
    return [
        (x.referral.referral_id, x.kind, x.component, x.payable_weeks, x.amount)
        for x in claim.lines.select_related("referral")
    ]


def engine_total(council_code, as_of):
    payments = engine_bridge.payments_as_of(contract_current(), council=council_code, as_of=as_of)
    return sum((p.total for p in payments.values()), Decimal(0))


def claimed_total(council):
    return sum(
        ClaimLine.objects.filter(claim__council=council).values_list("amount", flat=True),
        Decimal(0),
    )


def test_each_month_claims_the_payable_weeks_and_fees_that_fell_in_it(
    money_referrals, derby, users
):
    out = {m: lines(run(derby, m, users)) for m in months_between(D(2022, 1, 1), D(2022, 4, 1))}
    assert out[D(2022, 1, 1)] == []  # 3 sustained weeks, all proving
    # the guaranteed referral started on 14 February: its fee (26 × £450) falls due then
    assert out[D(2022, 2, 1)] == [("R-DG", "guaranteed_fee", "guaranteed_fee", 0, Decimal(11700))]
    assert out[D(2022, 3, 1)] == []
    # to 1 May: 111 days = 15 weeks; 13 proving; 2 payable at £400 (cohort B)
    assert out[D(2022, 4, 1)] == [("R-DER", "outcome", "outcome", 2, Decimal(800))]
    line = ClaimLine.objects.get(referral__referral_id="R-DER")
    assert line.rate == Decimal(400)
    assert "payable weeks rose from 0 to 2 in April 2022" in line.rule
    assert claimed_total(derby) == engine_total("derby", D(2022, 5, 1))


def test_a_first_claim_catches_up_on_earlier_months_with_adjustments(money_referrals, derby, users):
    claim = claim_prepare(
        council=derby, month=D(2022, 6, 1), by=users["provider_manager"], today=TODAY
    )
    kinds = {(r, k, c) for r, k, c, _, _ in lines(claim)}
    assert ("R-DER", "adjustment", "outcome") in kinds
    assert ("R-DG", "adjustment", "guaranteed_fee") in kinds
    assert ("R-DER", "outcome", "outcome") in kinds
    assert not any(r == "R-NOT" for r, *_ in kinds)  # another council's referral
    assert claimed_total(derby) == engine_total("derby", D(2022, 7, 1))


def test_an_approved_claim_is_locked_and_a_correction_comes_as_an_adjustment(
    money_referrals, derby, users
):
    april = run(derby, D(2022, 4, 1), users)
    may = run(derby, D(2022, 5, 1), users)
    before = {c.pk: lines(c) for c in (april, may)}
    may_amount = sum((x[4] for x in before[may.pk] if x[0] == "R-DER"), Decimal(0))
    assert may_amount > 0
    # late news: R-DER's placement ended on 11 April (13 weeks: nothing payable)
    money_referrals["derby"].periods.update(end_date=D(2022, 4, 11))
    with pytest.raises(ClaimError, match="approved"):
        claim_prepare(council=derby, month=D(2022, 5, 1), by=users["provider_manager"], today=TODAY)
    june = claim_prepare(
        council=derby, month=D(2022, 6, 1), by=users["provider_manager"], today=TODAY
    )
    adjustment = [x for x in lines(june) if x[0] == "R-DER"]
    assert adjustment == [("R-DER", "adjustment", "outcome", -7, -Decimal(800) - may_amount)]
    assert {c.pk: lines(c) for c in (april, may)} == before  # never rewritten
    assert claimed_total(derby) == engine_total("derby", D(2022, 7, 1))


def test_a_later_month_waits_until_earlier_claims_are_approved(money_referrals, derby, users):
    claim_prepare(council=derby, month=D(2022, 4, 1), by=users["provider_manager"], today=TODAY)
    with pytest.raises(ClaimError, match="April 2022 is draft"):
        claim_prepare(council=derby, month=D(2022, 5, 1), by=users["provider_manager"], today=TODAY)
    with pytest.raises(ClaimError, match="has not ended"):
        claim_prepare(
            council=derby, month=D(2022, 12, 1), by=users["provider_manager"], today=TODAY
        )


def test_review_dispute_prepare_again_and_approve(money_referrals, derby, users):
    pm, commissioner = users["provider_manager"], users["commissioner"]
    claim = claim_prepare(council=derby, month=D(2022, 4, 1), by=pm, today=TODAY)
    with pytest.raises(ClaimError, match="submitted"):
        claim_approve(claim=claim, by=commissioner)
    claim_submit(claim=claim, by=pm)
    with pytest.raises(ClaimError, match="commissioner"):
        claim_approve(claim=claim, by=pm)
    line = claim.lines.get(referral__referral_id="R-DER")
    with pytest.raises(ClaimError, match="Say why"):
        claim_dispute_line(line=line, by=commissioner, reason="  ")
    claim_dispute_line(line=line, by=commissioner, reason="Placement ended in March")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED
    with pytest.raises(ClaimError):
        claim_approve(claim=claim, by=commissioner)
    # the provider corrects the records and prepares the claim again
    money_referrals["derby"].periods.update(end_date=D(2022, 3, 28))
    claim = claim_prepare(council=derby, month=D(2022, 4, 1), by=pm, today=TODAY)
    assert claim.status == ClaimStatus.DRAFT
    assert not claim.lines.filter(disputed=True).exists()
    assert not claim.lines.filter(referral__referral_id="R-DER").exists()
    claim_submit(claim=claim, by=pm)
    assert claim_approve(claim=claim, by=commissioner).status == ClaimStatus.APPROVED
    assert claim.history.count() >= 4  # every step kept (django-simple-history)


def test_another_councils_commissioner_cannot_review(money_referrals, derby, users):
    from stars.partnership.services import user_create

    other = user_create(
        username="comm_nott", role="commissioner", council="nottingham", password="x" * 20
    )
    claim = claim_prepare(
        council=derby, month=D(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    claim_submit(claim=claim, by=users["provider_manager"])
    with pytest.raises(ClaimError, match="commissioner of the council"):
        claim_approve(claim=claim, by=other)
    with pytest.raises(ClaimError, match="commissioner of the council"):
        claim_dispute_line(line=claim.lines.first(), by=other, reason="not ours")


def _random_history(rng, derby_refs):
    """Random late corrections: periods end, reopen, split, vanish or appear."""
    from stars.cases.models import OutcomePeriod

    for r in derby_refs:
        action = rng.random()
        periods = list(r.periods.all())
        if action < 0.2 and periods:
            p = rng.choice(periods)
            p.end_date = p.start_date + dt.timedelta(days=rng.randint(0, 300))
            p.save()
        elif action < 0.3 and periods:
            rng.choice(periods).delete()
        elif action < 0.45 and not periods:
            add_period(r, r.referral_date + dt.timedelta(days=rng.randint(0, 40)))
        elif action < 0.55 and periods:
            OutcomePeriod.objects.filter(referral=r).update(end_date=None)


@pytest.mark.parametrize("seed", range(4))
def test_randomised_histories_with_late_corrections_add_up_to_the_engine(
    contract, users, derby, seed
):
    rng = random.Random(seed)
    refs = []
    for i in range(6):
        cohort = rng.choice("ABCD")
        r = make_referral(f"R-{seed}-{i}", "derby", cohort=cohort)
        r.referral_date = D(2022, 1, 3) + dt.timedelta(days=rng.randint(0, 150))
        r.funding = rng.choice(["sib", "sib", "guaranteed"])
        r.save()
        if rng.random() < 0.8:
            add_period(r, r.referral_date + dt.timedelta(days=rng.randint(0, 30)))
        refs.append(r)
    approved: dict[int, list] = {}
    month = D(2022, 1, 1)
    for _ in range(14):
        _random_history(rng, refs)
        claim = run(derby, month, users, today=LATER)
        for pk, snapshot in approved.items():
            assert lines(OutcomeClaim.objects.get(pk=pk)) == snapshot  # locked
        approved[claim.pk] = lines(claim)
        month = next_month(month)
    end = month
    assert ClaimLine.objects.filter(kind="adjustment").exists()  # corrections happened
    assert claimed_total(derby) == engine_total("derby", end)
    _, referrals, periods = engine_bridge.frames_for(engine_bridge.council_scope("derby"))
    engine = outcome_payments_as_of(contract_current(), referrals, periods, end)
    for rid, figure in engine.items():
        held = ClaimLine.objects.filter(referral__referral_id=rid).values_list("amount", flat=True)
        assert sum(held, Decimal(0)) == figure.total, rid
