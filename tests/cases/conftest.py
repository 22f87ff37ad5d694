"""Fixtures of the case record: the generic instruments and a live Derby case."""

from __future__ import annotations

import pytest


@pytest.fixture
def instruments(db):
    from stars.cases.instruments import instruments_ensure_defaults

    return instruments_ensure_defaults()


@pytest.fixture
def case(referrals):
    """R-DER: Derby, cohort B, referred 10 January 2022, on the key worker's caseload."""
    return referrals["derby"]
