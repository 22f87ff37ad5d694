"""Bulk loads: rows and their history as Django would store them, all or nothing."""

from __future__ import annotations

import datetime as dt
import tempfile

import polars as pl
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from stars.core.bulk import STAGING, _new_ids, bulk_staging, insert_with_history
from stars.core.programmes import programme_use
from stars.partnership.models import Council, Programme
from stars.referrals.models import Child, Enquiry

# the rows go through executemany on both databases, and through Arrow on SQLite only
staged_on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="rows are staged through Arrow on SQLite only"
)

COLUMNS = ["child_ref", "council_id", "date_of_birth"]


def _children(n: int) -> pl.DataFrame:
    council = Council.objects.get(code="derby").pk
    born = dt.date(2015, 1, 1)
    rows = [(f"C{i:05d}", council, born + dt.timedelta(days=i)) for i in range(n)]
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


@pytest.fixture
def worked_in(contract):
    with programme_use(Programme.objects.get().choice()):
        yield


def test_inserted_rows_have_their_ids_dates_and_created_history(worked_in):
    with transaction.atomic():
        ids = insert_with_history(Child, _children(50), key=["child_ref"])
    assert dict(ids.iter_rows()) == dict(Child.objects.values_list("child_ref", "pk"))
    child = Child.objects.get(child_ref="C00003")
    assert child.date_of_birth == dt.date(2015, 1, 4)  # dates stored as Django reads them
    assert child.history.get().history_type == "+"


def test_a_failed_load_leaves_no_rows(worked_in):
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_with_history(Child, _children(5))
        raise RuntimeError("the load fails half way")
    assert not Child.objects.exists()


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


# Staged through Arrow: needs a transaction of its own (ATTACH is refused inside one), so
# these tests commit; each starts from the contract alone.


def _stored(table: str, where: str) -> list[dict[str, tuple]]:
    """``table``'s rows, each column's value with the type SQLite stores it as."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY 1")
        names = [d[0] for d in cur.description]
        kinds = ", ".join(f"typeof({n})" for n in names)
        cur.execute(f"SELECT *, {kinds} FROM {table} WHERE {where} ORDER BY 1")
        n = len(names)
        return [{c: (r[i], r[n + i]) for i, c in enumerate(names)} for r in cur.fetchall()]


def _staging_attached() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM pragma_database_list")
        return STAGING in {r[0] for r in cur.fetchall()}


def _enquiries(prefix: str, child_ids: list[int]) -> pl.DataFrame:
    council = Council.objects.get(code="derby").pk
    n = len(child_ids)
    return pl.DataFrame(
        {
            "enquiry_id": [f"{prefix}{i:03d}" for i in range(n)],
            "child_id": child_ids,
            "council_id": [council] * n,
            "cohort": ["1"] * n,
            "enquiry_date": [dt.date(2024, 5, 1) + dt.timedelta(days=i) for i in range(n)],
            "decision": ["accepted", "pending"] * (n // 2) + ["accepted"] * (n % 2),
            "decision_date": [dt.date(2024, 6, 1), None] * (n // 2) + [None] * (n % 2),
        }
    )


@staged_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_rows_staged_through_arrow_are_stored_exactly_as_executemany_stores_them(
    contract, worked_in
):
    children = _children(6)
    with transaction.atomic():  # already in a transaction: executemany
        plain = insert_with_history(Child, children, key=["child_ref"])
        insert_with_history(Enquiry, _enquiries("A", plain["id"].to_list()))
    with CaptureQueriesContext(connection) as queries, bulk_staging(), transaction.atomic():
        staged = insert_with_history(
            Child, children.with_columns(pl.col("child_ref") + "S"), key=["child_ref"]
        )
        insert_with_history(Enquiry, _enquiries("B", staged["id"].to_list()))
    assert sum(f"FROM {STAGING}.rows" in q["sql"] for q in queries.captured_queries) == 2
    assert not _staging_attached()
    assert dict(staged.iter_rows()) == dict(
        Child.objects.filter(child_ref__endswith="S").values_list("child_ref", "pk")
    )

    def same(table: str, where: str, other: str, differ: set[str]) -> None:
        plain, staged = _stored(table, where), _stored(table, other)
        assert len(plain) == len(staged) == 6
        for x, y in zip(plain, staged, strict=True):  # each column but ids, keys and times
            assert {c: v for c, v in x.items() if c not in differ} == {
                c: v for c, v in y.items() if c not in differ
            }

    same("referrals_child", "child_ref NOT LIKE '%S'", "child_ref LIKE '%S'", {"id", "child_ref"})
    same(
        "referrals_enquiry",
        "enquiry_id LIKE 'A%'",
        "enquiry_id LIKE 'B%'",
        {"id", "enquiry_id", "child_id", "created_at"},
    )
    assert Enquiry.objects.get(enquiry_id="B001").decision_date is None
    assert Enquiry.objects.get(enquiry_id="B000").needs == []
    assert Child.history.filter(child_ref__endswith="S", history_type="+").count() == 6
    assert Enquiry.history.filter(enquiry_id__startswith="B").count() == 6


@staged_on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_failed_staged_load_leaves_no_rows_no_staging_and_no_file(
    contract, worked_in, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError), bulk_staging(), transaction.atomic():
        insert_with_history(Child, _children(5))
        assert Child.objects.count() == 5
        raise RuntimeError("the load fails half way")
    assert not Child.objects.exists() and not Child.history.exists()
    assert not _staging_attached()
    assert list(tmp_path.iterdir()) == []  # the staging file is gone
