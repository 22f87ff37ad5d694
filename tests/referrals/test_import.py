"""Importing and exporting trackers: all or nothing, re-importable, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.tracker.rows import write_tracker
from stars.referrals.models import Enquiry, Referral
from stars.referrals.tracker_io import TrackerRejected, export_files, import_files
from stars.reports.services import evaluation_json
from tests.conftest import CONTRACT

AS_OF = dt.date(2024, 11, 30)


def write_programme(folder: Path, n: int = 60, seed: int = 7) -> dict[str, Path]:
    terms = parse_contract(CONTRACT.read_text())
    p = generate_programme(terms, n_referrals=n, as_of=AS_OF, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in write_tracker(p.enquiries, p.referrals, p.periods).items():
        (folder / name).write_text(text)
        paths[name] = folder / name
    return paths


def load(paths: dict[str, Path]):
    return import_files(
        contract=CONTRACT,
        enquiries=paths["enquiries.csv"],
        referrals=paths["referrals.csv"],
        periods=paths["outcome_periods.csv"],
    )


def test_a_bad_row_imports_nothing_and_names_file_line_and_column(db, tmp_path):
    paths = write_programme(tmp_path)
    lines = paths["referrals.csv"].read_text().splitlines()
    lines[3] = lines[3].replace(",sib,", ",loan,").replace(",guaranteed,", ",loan,")
    paths["referrals.csv"].write_text("\n".join(lines) + "\n")
    with pytest.raises(TrackerRejected) as err:
        load(paths)
    assert "nothing was imported" in err.value.headline
    assert any(
        line.startswith(f"{paths['referrals.csv']}:4: column funding:") for line in err.value.lines
    )
    assert Referral.objects.count() == 0 and Enquiry.objects.count() == 0


def test_a_missing_file_or_bad_contract_is_named(db, tmp_path):
    paths = write_programme(tmp_path)
    with pytest.raises(TrackerRejected, match="no such file"):
        import_files(
            contract=CONTRACT,
            enquiries=tmp_path / "nope.csv",
            referrals=paths["referrals.csv"],
            periods=paths["outcome_periods.csv"],
        )
    bad = tmp_path / "bad.toml"
    bad.write_text(CONTRACT.read_text().replace("programme_weeks = 104", ""))
    with pytest.raises(TrackerRejected, match="programme.programme_weeks: is missing"):
        import_files(
            contract=bad,
            enquiries=paths["enquiries.csv"],
            referrals=paths["referrals.csv"],
            periods=paths["outcome_periods.csv"],
        )


def test_reimport_updates_by_id_and_reports_absent_records(db, tmp_path):
    paths = write_programme(tmp_path)
    summary, _ = load(paths)
    n = Referral.objects.count()
    assert summary.referrals.created == n
    # next month: one referral graduates, one disappears from the files
    lines = paths["referrals.csv"].read_text().splitlines()
    header, rows = lines[0], lines[1:]
    gone = rows.pop().split(",")[0]
    periods = [
        line
        for line in paths["outcome_periods.csv"].read_text().splitlines()
        if not line.startswith(gone + ",")
    ]
    paths["outcome_periods.csv"].write_text("\n".join(periods) + "\n")
    paths["referrals.csv"].write_text("\n".join([header, *rows]) + "\n")
    summary, _ = load(paths)
    assert summary.referrals.created == 0 and summary.referrals.updated == 0
    assert summary.absent_referrals == [gone]
    assert Referral.objects.count() == n  # reported, not deleted


def test_import_export_import_gives_an_identical_report(transactional_db, tmp_path):
    load(write_programme(tmp_path / "a"))
    first = evaluation_json(scope=None, as_of=AS_OF)
    exported = {p.name: p for p in export_files(out_dir=tmp_path / "b")}
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    import_files(
        contract=exported["contract.toml"],
        enquiries=exported["enquiries.csv"],
        referrals=exported["referrals.csv"],
        periods=exported["outcome_periods.csv"],
    )
    assert evaluation_json(scope=None, as_of=AS_OF) == first
    assert '"total": 60' in first


def test_export_lists_records_in_id_order_whatever_order_they_were_stored_in(db, tmp_path):
    paths = write_programme(tmp_path / "a")
    for path in paths.values():  # the files' records backwards: stored in that order
        header, *rows = path.read_text().splitlines()
        path.write_text("\n".join([header, *reversed(rows)]) + "\n")
    load(paths)
    exported = {p.name: p.read_text() for p in export_files(out_dir=tmp_path / "b")}
    for name, key in (
        ("enquiries.csv", 1),
        ("referrals.csv", 1),
        ("outcome_periods.csv", 2),  # by referral, then start date
    ):
        rows = [line.split(",")[:key] for line in exported[name].splitlines()[1:]]
        assert rows == sorted(rows), name
    assert exported["referrals.csv"].count("\n") == 61


def test_import_keeps_history_and_logs_the_import(db, tmp_path):
    from stars.core.models import AccessLog

    load(write_programme(tmp_path, n=10))
    assert Referral.history.count() == Referral.objects.count()
    assert AccessLog.objects.filter(action="import", object_type="tracker").count() == 1
