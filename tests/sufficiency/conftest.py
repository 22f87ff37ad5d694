"""Fixtures the SSDA903 tests share: the demo's returns for one council, written afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from stars.demo.returns import write_demo_returns
from stars.partnership.models import Council


@pytest.fixture
def returns_dir(tmp_path) -> Path:
    return write_demo_returns(tmp_path / "returns", seed=3)


@pytest.fixture
def derby(users):
    return Council.objects.get(code="derby")
