"""The tracker's columns are defined once, by the domain (``stars.domain.outcomes.frames``):
the import, the export and the reads for reports all take them from there."""

from __future__ import annotations

import ast
from pathlib import Path

import polars as pl

from stars.domain.outcomes import frames
from stars.domain.tracker import rows
from stars.tracker import selectors

SELECTORS = Path(selectors.__file__)


def test_the_reads_for_reports_use_the_domain_s_columns():
    assert selectors.ENQUIRY_COLUMNS is rows.ENQUIRY_COLUMNS
    assert selectors.REFERRAL_COLUMNS is rows.REFERRAL_COLUMNS
    assert selectors.PERIOD_COLUMNS is rows.PERIOD_COLUMNS
    assert selectors.DATE_COLUMNS is frames.DATE_COLUMNS


def test_the_selectors_keep_no_column_list_of_their_own():
    tree = ast.parse(SELECTORS.read_text())
    own = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.endswith("_COLUMNS")
    ]
    assert own == ["ID_COLUMNS"]  # which columns a lean read keeps as integer keys


def test_each_lean_read_names_the_domain_s_columns_in_order():
    assert list(selectors._LEAN_ENQUIRIES[0]) == list(rows.ENQUIRY_COLUMNS)
    assert list(selectors._LEAN_REFERRALS[0]) == list(rows.REFERRAL_COLUMNS)
    assert list(selectors._LEAN_PERIODS[0]) == list(rows.PERIOD_COLUMNS)


def test_the_date_columns_are_the_schemas_dates():
    schemas = (frames.ENQUIRY_SCHEMA, frames.REFERRAL_SCHEMA, frames.PERIOD_SCHEMA)
    dates = {c for s in schemas for c, t in s.items() if t == pl.Date}
    assert dates == frames.DATE_COLUMNS
    assert {"enquiry_date", "date_of_birth", "referral_date", "start_date"} <= dates
