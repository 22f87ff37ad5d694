"""Report fixtures: a synthetic programme imported through the tracker service."""

from __future__ import annotations

import datetime as dt

import pytest

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.partnership.services import user_create
from stars.tracker.importer import tracker_import
from tests.conftest import CONTRACT, PASSWORD


@pytest.fixture
def programme(db):
    terms = parse_contract(CONTRACT.read_text())
    p = generate_programme(terms, n_referrals=120, as_of=dt.date(2024, 11, 30), seed=5)
    tracker_import(
        contract_text=CONTRACT.read_text(),
        contract_source=str(CONTRACT),
        enquiries=p.enquiries,
        referrals=p.referrals,
        periods=p.periods,
    )
    return {
        role: user_create(username=role, role=role, council=council, password=PASSWORD)
        for role, council in (
            ("commissioner", "derby"),
            ("provider_manager", None),
            ("investor", None),
            ("evaluator", None),
            ("spoc", "derby"),
        )
    }
