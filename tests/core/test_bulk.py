"""Bulk loads: the indexes of empty tables are built once at the end, and always come back."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import connection, transaction

from stars.core.bulk import _new_ids, indexes_deferred, insert_with_history
from stars.core.programmes import programme_use
from stars.partnership.models import Council, Programme
from stars.referrals.models import Child
from tests.conftest import make_referral

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="indexes are deferred on SQLite only"
)

TABLES = ("referrals_child", "referrals_historicalchild")
COLUMNS = ["child_ref", "council_id", "date_of_birth"]


def _indexes(*tables: str) -> set[tuple[str, str]]:
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            list(tables),
        )
        return set(cur.fetchall())


def _children(n: int) -> pl.DataFrame:
    council = Council.objects.get(code="derby").pk
    born = dt.date(2015, 1, 1)
    rows = [(f"C{i:05d}", council, born + dt.timedelta(days=i)) for i in range(n)]
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


@pytest.fixture
def worked_in(contract):
    with programme_use(Programme.objects.get().choice()):
        yield


def test_an_empty_tables_indexes_are_built_after_the_load_exactly_as_before(worked_in):
    before = _indexes(*TABLES)
    assert before  # the child tables have secondary indexes to defer
    with transaction.atomic(), indexes_deferred(Child):
        assert _indexes(*TABLES) == set()  # not kept up to date row by row during the load
        ids = insert_with_history(Child, _children(50), key=["child_ref"])
    assert _indexes(*TABLES) == before
    assert dict(ids.iter_rows()) == dict(Child.objects.values_list("child_ref", "pk"))
    child = Child.objects.get(child_ref="C00003")
    assert child.date_of_birth == dt.date(2015, 1, 4)  # dates stored as Django reads them
    assert child.history.get().history_type == "+"


def test_a_failed_load_leaves_the_indexes_and_no_rows(worked_in):
    before = _indexes(*TABLES)
    with pytest.raises(RuntimeError), transaction.atomic(), indexes_deferred(Child):
        insert_with_history(Child, _children(5))
        raise RuntimeError("the load fails half way")
    assert _indexes(*TABLES) == before
    assert not Child.objects.exists()


def test_a_table_holding_rows_keeps_its_indexes_during_the_load(users, worked_in):
    make_referral("R1", "derby")
    before = _indexes(*TABLES)
    with transaction.atomic(), indexes_deferred(Child):
        assert _indexes(*TABLES) == before
        insert_with_history(Child, _children(3))
    assert _indexes(*TABLES) == before
    assert Child.objects.count() == 4


def test_new_ids_are_read_back_by_key_when_another_writers_rows_are_among_them(worked_in):
    with transaction.atomic():
        insert_with_history(Child, _children(4))
        keys = pl.DataFrame({"child_ref": ["C00003", "C00001"]})
        # the ids above 0 are not just these two rows': they are looked up by their keys
        ids = _new_ids(Child, keys, 0)
    assert ids.rows() == [
        ("C00003", Child.objects.get(child_ref="C00003").pk),
        ("C00001", Child.objects.get(child_ref="C00001").pk),
    ]
