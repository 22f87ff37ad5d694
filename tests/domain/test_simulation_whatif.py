"""What-ifs of the simulator: terms and assumptions changed by key=value, refused clearly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.demo.synthetic import generate_programme
from stars.domain.simulation.fit import fit
from stars.domain.simulation.montecarlo import contract_end, simulate
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.whatif import WhatIfError, apply
from tests.domain.test_simulation import DN2, FUNDED, MILESTONES, OTHER

P = generate_programme(DN2, n_referrals=120, as_of=dt.date(2024, 11, 30), seed=3)
D = dt.date(2023, 6, 30)
REC = records_as_of(P.enquiries, P.referrals, P.periods, D)
FIT = fit(DN2, REC)


def test_terms_are_changed_by_their_place_in_the_contract():
    c, a = apply(
        DN2,
        FIT,
        [
            "cohort.a.weekly_outcome_payment=650.50",
            "cohort.B.proving_weeks=9",
            "local_authority.derby.minimum_referrals=60",
            "programme.lcf_share=0.3",
            "guaranteed_funding.weekly_fee=400",
            "referral_rate=1.25",
            "closure_rate=0.5",
            "cohort_mix.D=0.4",
        ],
    )
    assert c.cohort("A").weekly_outcome_payment == Decimal("650.50")
    assert c.cohort("B").proving_weeks == 9
    assert c.local_authority("derby").minimum_referrals == 60
    assert c.lcf_share == Decimal("0.3") and c.guaranteed_funding.weekly_fee == Decimal(400)
    assert (a.referral_rate, a.closure_rate) == (1.25, 0.5)
    assert a.cohort_share["D"] == pytest.approx(0.4)
    assert sum(a.cohort_share.values()) == pytest.approx(1)
    # the rest unchanged
    assert c.cohort("C") == DN2.cohort("C") and DN2.cohort("A").weekly_outcome_payment == 900


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("cohort.Z.proving_weeks=3", "no cohort 'Z'"),
        ("cohort.A.colour=red", "no term 'colour'"),
        ("cohort.A.proving_weeks=lots", "'lots' is not a valid int"),
        ("cohort.A.weekly_outcome_payment=NaN", "is not a valid"),
        ("cohort.A.payment_design=magic", "unknown payment design 'magic'"),
        ("programme.referral_period_end=2025-02-30", "is not a valid date"),
        ("referral_rate=-2", "cannot be negative"),
        ("cohort_mix.A=1.5", "between 0 and 1"),
        ("price", "expected key=value"),
        ("something.else=1", "unknown setting"),
        # what the contract file refuses, a what-if refuses too
        ("cohort.A.weekly_outcome_payment=-5", "must not be negative, found -5"),
        ("cohort.A.proving_weeks=-1", "must not be negative"),
        ("guaranteed_funding.weekly_fee=-400", "must not be negative"),
        ("programme.lcf_share=1.5", "is a share from 0 to 1"),
    ],
)
def test_a_setting_that_cannot_apply_is_refused_with_the_setting(setting, message):
    with pytest.raises(WhatIfError) as err:
        apply(DN2, FIT, [setting])
    assert setting.split("=")[0] in str(err.value) and message in str(err.value)


def test_lcf_share_is_refused_where_the_contract_has_outcome_funds_it_would_not_change():
    assert FUNDED.outcome_funds  # [[outcome_fund]] tables, no lcf_share
    with pytest.raises(WhatIfError, match=r"programme.lcf_share=0.3: the contract's outcome"):
        apply(FUNDED, FIT, ["programme.lcf_share=0.3"])


def _median(runs, output):
    v = sorted(runs.values(output).tolist())
    return v[len(v) // 2]


def test_a_dearer_price_changes_payments_alone_and_more_referrals_more_referrals():
    end = contract_end(DN2)
    base = simulate(DN2, REC, FIT, to=end, runs=200, seed=4)
    c, a = apply(DN2, FIT, ["cohort.B.weekly_outcome_payment=800"])
    dear = simulate(c, REC, a, to=end, runs=200, seed=4)
    assert (dear.values("referrals") == base.values("referrals")).all()
    assert (dear.values("sustained_weeks") == base.values("sustained_weeks")).all()
    assert (dear.values("outcome_payments") >= base.values("outcome_payments")).all()
    c, a = apply(DN2, FIT, ["referral_rate=2"])
    more = simulate(c, REC, a, to=end, runs=200, seed=4)
    assert _median(more, "referrals") > _median(base, "referrals")


@settings(max_examples=10, deadline=None)
@given(proving=st.integers(0, 60), rate=st.decimals(0, 2000, places=2))
def test_proving_weeks_and_prices_move_payments_the_right_way(proving, rate):
    end = contract_end(DN2)
    c, a = apply(
        DN2, FIT, [f"cohort.D.proving_weeks={proving}", f"cohort.D.weekly_outcome_payment={rate}"]
    )
    runs = simulate(c, REC, a, to=end, runs=20, seed=1)
    longer, _ = apply(c, a, [f"cohort.D.proving_weeks={proving + 5}"])
    fewer = simulate(longer, REC, a, to=end, runs=20, seed=1)
    assert (
        fewer.values("outcome_payments@cohort:D") <= runs.values("outcome_payments@cohort:D")
    ).all()
    assert (fewer.values("sustained_weeks") == runs.values("sustained_weeks")).all()


def test_a_milestone_amount_and_the_payment_design_itself_can_be_changed():
    c, _ = apply(MILESTONES, FIT, ["cohort.SD.milestones.settled.payment=5000"])
    assert [m.payment for m in c.cohort("SD").milestones] == [2500, 5000, 6000]
    with pytest.raises(WhatIfError, match="no milestones named 'nope'"):
        apply(MILESTONES, FIT, ["cohort.SD.milestones.nope.payment=1"])
    # the weekly design in place of the milestones: priced by the weekly design's seam
    weekly, _ = apply(MILESTONES, FIT, ["cohort.SD.payment_design=weekly_after_proving"])
    assert weekly.cohort("SD").payment_design == "weekly_after_proving"
    assert OTHER.cohort("SD").payment_design == "weekly_after_proving"


@pytest.mark.parametrize(
    ("contract", "setting", "term"),
    [
        (MILESTONES, "cohort.SD.proving_weeks=10", "proving_weeks"),
        (MILESTONES, "cohort.sd.weekly_outcome_payment=500", "weekly_outcome_payment"),
        (OTHER, "cohort.SD.milestones.settled.payment=5000", "milestones"),
    ],
)
def test_a_term_the_cohorts_payment_design_does_not_use_is_refused(contract, setting, term):
    """``cohort.SD.proving_weeks=10`` on a cohort paid by milestones was taken and changed
    no figure, without a word: it is refused, naming the term and the cohort's design."""
    with pytest.raises(WhatIfError) as err:
        apply(contract, FIT, [setting])
    message = str(err.value)
    assert message.startswith(setting + ": cohort SD is paid by ")
    assert f"which does not use {term}, so it would change nothing" in message
    # once the design is switched, the term is the cohort's and is taken
    other = "weekly_after_proving" if contract is MILESTONES else "continuous_milestones"
    if contract is MILESTONES:
        c, _ = apply(contract, FIT, [f"cohort.SD.payment_design={other}", setting])
        assert c.cohort("SD").payment_design == other
