"""Importing and exporting trackers: all or nothing, re-importable, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from stars import cli
from stars.cases.models import OutcomePeriod
from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.tracker.rows import write_tracker
from stars.partnership.services import user_create
from stars.referrals.models import Child, Enquiry, Referral
from stars.reports.evaluation import evaluation_json
from stars.tracker.files import TrackerRejected, export_files, import_files
from tests.conftest import CONTRACT, PASSWORD

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


def _rewrite(path: Path, change) -> str:
    """Apply ``change`` to the first data row of a CSV file; returns that row's id."""
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        new = change(cells)
        if new is not None:
            lines[i] = ",".join(new)
            path.write_text("\n".join(lines) + "\n")
            return cells[0]
    raise AssertionError("no row to change")


def test_reimport_of_a_changed_record_keeps_every_field_and_records_the_change(db, tmp_path):
    paths = write_programme(tmp_path)
    load(paths)
    # what the pages add beside the tracker's columns must survive a re-import
    enquiry = Enquiry.objects.exclude(decision="pending").order_by("enquiry_id").first()
    enquiry.social_worker, enquiry.needs = "Team North duty worker", ["education"]
    enquiry.save()
    worker = user_create(username="kw-reimport", role="key_worker", password=PASSWORD)
    referral = Referral.objects.exclude(status="live").order_by("referral_id").first()
    referral.key_worker = worker
    referral.save()
    child = referral.child
    child.given_name = "Sam"
    child.save()
    created_at = Enquiry.objects.get(pk=enquiry.pk).created_at
    before = {m: m.history.count() for m in (Child, Enquiry, Referral, OutcomePeriod)}

    def later_decision(cells):
        if cells[0] != enquiry.enquiry_id:
            return None
        cells[7] = str(dt.date.fromisoformat(cells[7]) + dt.timedelta(days=3))
        return cells

    def later_end(cells):
        if cells[0] != referral.referral_id:
            return None
        cells[9] = str(dt.date.fromisoformat(cells[9]) + dt.timedelta(days=1))
        return cells

    def other_birthday(cells):
        if child.child_ref not in cells[1:3]:  # enquiries give it second, referrals third
            return None
        cells[5] = str(dt.date.fromisoformat(cells[5]) - dt.timedelta(days=1))
        return cells

    _rewrite(paths["enquiries.csv"], later_decision)
    _rewrite(paths["referrals.csv"], later_end)
    # the child's date of birth, everywhere it is given (enquiries and referrals agree)
    for name in ("enquiries.csv", "referrals.csv"):
        lines = paths[name].read_text().splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            cells = line.split(",")
            out.append(",".join(other_birthday(cells) or cells))
        paths[name].write_text("\n".join(out) + "\n")
    # and one referral's last outcome period is dropped from the files
    lines = paths["outcome_periods.csv"].read_text().splitlines()
    dropped = lines.pop()
    paths["outcome_periods.csv"].write_text("\n".join(lines) + "\n")

    summary, _ = load(paths)

    assert summary.enquiries.updated == 1 and summary.referrals.updated == 1
    assert summary.children.updated == 1
    got = Enquiry.objects.get(pk=enquiry.pk)
    assert got.decision_date == enquiry.decision_date + dt.timedelta(days=3)
    assert (got.social_worker, got.needs, got.created_at) == (
        "Team North duty worker",
        ["education"],
        created_at,
    )
    latest = got.history.first()
    assert latest.history_type == "~" and latest.decision_date == got.decision_date
    assert (latest.social_worker, latest.needs, latest.created_at) == (
        "Team North duty worker",
        ["education"],
        created_at,
    )
    assert latest.prev_record.decision_date == enquiry.decision_date
    r = Referral.objects.get(pk=referral.pk)
    assert r.end_date == referral.end_date + dt.timedelta(days=1)
    assert r.history.first().end_date == r.end_date
    assert r.key_worker == worker and r.history.first().key_worker_id == worker.pk
    c = Child.objects.get(pk=child.pk)
    assert c.given_name == "Sam" and c.history.first().given_name == "Sam"
    assert c.history.first().date_of_birth == c.date_of_birth
    after = {m: m.history.count() for m in (Child, Enquiry, Referral, OutcomePeriod)}
    assert after[Enquiry] == before[Enquiry] + 1
    assert after[Referral] == before[Referral] + 1
    assert after[Child] == before[Child] + 1
    rid, start = dropped.split(",")[:2]
    assert not OutcomePeriod.objects.filter(referral__referral_id=rid, start_date=start).exists()
    assert OutcomePeriod.history.filter(history_type="-", start_date=start).exists()
    assert after[OutcomePeriod] > before[OutcomePeriod]
    # every record's latest history row holds every field as stored, whichever path wrote it
    # (but what the history leaves out: an enquiry's ``accepted``, from its referrals' own)
    for model in (Child, Enquiry, Referral, OutcomePeriod):
        left_out = set(model.history.model._history_excluded_fields)
        names = [f.attname for f in model._meta.concrete_fields if f.name not in left_out]
        for obj in model.objects.all():
            latest = obj.history.first()
            assert [getattr(latest, n) for n in names] == [getattr(obj, n) for n in names]


def test_after_each_import_the_enquiries_referrals_were_made_from_are_the_accepted(db, tmp_path):
    """The lists of open enquiries filter on ``accepted`` (not on every referral): an
    import keeps it true of exactly the enquiries a referral was made from, also when a
    re-import takes a referral off its enquiry, which is open again."""

    def made_from():
        return set(Enquiry.objects.filter(referrals__isnull=False).values_list("pk", flat=True))

    def accepted():
        return set(Enquiry.objects.filter(accepted=True).values_list("pk", flat=True))

    paths = write_programme(tmp_path)
    load(paths)
    assert accepted() == made_from() and accepted()
    first = _rewrite(paths["referrals.csv"], lambda cells: [cells[0], "", *cells[2:]])
    enquiry = Referral.objects.get(referral_id=first).enquiry
    load(paths)
    assert accepted() == made_from() and enquiry.pk not in accepted()
    enquiry.refresh_from_db()
    assert enquiry.referrals.count() == 0 and not enquiry.accepted


def test_a_directory_or_a_file_that_is_not_utf8_is_one_line_naming_it(db, tmp_path):
    paths = write_programme(tmp_path / "t")
    with pytest.raises(TrackerRejected) as err:
        import_files(
            contract=CONTRACT,
            enquiries=tmp_path,
            referrals=paths["referrals.csv"],
            periods=paths["outcome_periods.csv"],
        )
    assert err.value.headline == (
        f"{tmp_path}: is a directory, expected a CSV file; nothing was imported"
    )
    assert err.value.lines == []
    with pytest.raises(TrackerRejected, match="is a directory, expected a contract TOML file"):
        import_files(
            contract=tmp_path,
            enquiries=paths["enquiries.csv"],
            referrals=paths["referrals.csv"],
            periods=paths["outcome_periods.csv"],
        )
    # a child's reference on the fourth line holding 0x81, a byte neither UTF-8 nor
    # Windows-1252 (what Excel on Windows saves as "CSV") defines
    data = paths["enquiries.csv"].read_bytes().split(b"\n")
    cells = data[3].split(b",")
    cells[1] = cells[1] + b"\x81"
    data[3] = b",".join(cells)
    paths["enquiries.csv"].write_bytes(b"\n".join(data))
    with pytest.raises(TrackerRejected) as err:
        load(paths)
    assert err.value.headline == (
        f"{paths['enquiries.csv']}:4: column child_ref: byte 0x81 is neither UTF-8 nor "
        "Windows-1252; expected UTF-8 text (save the file as CSV UTF-8); nothing was imported"
    )
    assert Enquiry.objects.count() == 0


def test_a_tracker_excel_saved_as_csv_on_windows_imports_with_a_note_naming_the_file(db, tmp_path):
    """A council's spreadsheet saved as "CSV" by Excel on Windows is Windows-1252, with
    CRLF line ends, its own column order and columns of its own holding a pound sign and
    accented names: it is read as the SSDA903 returns are, and the import says so."""
    paths = write_programme(tmp_path / "a", n=8)
    utf8 = {name: path.read_text() for name, path in paths.items()}
    lines = utf8["referrals.csv"].splitlines()
    moved = [
        ",".join([*reversed(line.split(",")), extra])
        for line, extra in zip(
            lines,
            ["Key worker,Weekly cost", *['Zoë Noël,"£1,250.00"'] * (len(lines) - 1)],
            strict=True,
        )
    ]
    paths["referrals.csv"].write_bytes(("\r\n".join(moved) + "\r\n,,,\r\n").encode("cp1252"))
    paths["enquiries.csv"].write_bytes(b"\xef\xbb\xbf" + utf8["enquiries.csv"].encode())
    summary, warnings = load(paths)
    assert [str(w) for w in warnings if "Windows-1252" in str(w)] == [
        f'{paths["referrals.csv"]}:1: read as Windows-1252, not UTF-8 (as Excel saves "CSV"); '
        "stored as UTF-8"
    ]
    assert not any("enquiries.csv:1: read as" in str(w) for w in warnings)  # UTF-8 with a BOM
    assert summary.referrals.created == len(lines) - 1 == Referral.objects.count()


def test_ids_the_database_cannot_hold_are_named_and_nothing_is_imported(db, tmp_path):
    paths = write_programme(tmp_path)
    enq = paths["enquiries.csv"].read_text().splitlines()
    cells = enq[2].split(",")
    cells[1] = "C" * 41  # the column holds 40
    enq[2] = ",".join(cells)
    cells = enq[5].split(",")
    cells[1] = cells[1] + "\x00"  # PostgreSQL text cannot hold NUL
    enq[5] = ",".join(cells)
    paths["enquiries.csv"].write_text("\n".join(enq) + "\n")
    ref = paths["referrals.csv"].read_text().splitlines()
    cells = ref[1].split(",")
    cells[0] = "R" * 10_000_000
    ref[1] = ",".join(cells)
    paths["referrals.csv"].write_text("\n".join(ref) + "\n")
    with pytest.raises(TrackerRejected) as err:
        load(paths)
    rule = "expected 1 to 40 characters: letters, digits and - _ . /, starting with a letter"
    assert err.value.lines[:3] == [
        f"{paths['enquiries.csv']}:3: column child_ref: is 41 characters long; {rule} or digit",
        f"{paths['enquiries.csv']}:6: column child_ref: contains a NUL byte; expected text "
        "without NUL bytes",
        f"{paths['referrals.csv']}:2: column referral_id: is 10,000,000 characters long; "
        f"{rule} or digit",
    ]
    assert Enquiry.objects.count() == 0 and Referral.objects.count() == 0


def test_the_command_names_a_directory_a_bad_byte_and_an_open_quote_in_one_line(db, tmp_path):
    paths = write_programme(tmp_path / "t")

    def run(**files: Path):
        given = {
            "contract": CONTRACT,
            "enquiries": paths["enquiries.csv"],
            "referrals": paths["referrals.csv"],
            "periods": paths["outcome_periods.csv"],
            **files,
        }
        args = ["import-tracker"]
        for name, path in given.items():
            args += [f"--{name}", str(path)]
        return CliRunner().invoke(cli.app, args)

    got = run(periods=tmp_path)
    assert got.exit_code == 2 and "Traceback" not in got.output
    assert got.stderr.splitlines() == [
        f"error: {tmp_path}: is a directory, expected a CSV file; nothing was imported"
    ]
    bad = tmp_path / "undefined.csv"
    bad.write_bytes(paths["outcome_periods.csv"].read_bytes().replace(b"\n", b"\n\x90", 1))
    got = run(periods=bad)
    assert got.exit_code == 2
    assert got.stderr.splitlines() == [
        f"error: {bad}:2: column referral_id: byte 0x90 is neither UTF-8 nor Windows-1252; "
        "expected UTF-8 text (save the file as CSV UTF-8); nothing was imported"
    ]
    quoted = tmp_path / "quoted.csv"
    lines = paths["outcome_periods.csv"].read_text().splitlines()
    lines[4] = lines[4].replace(",", ',"', 1)
    quoted.write_text("\n".join(lines) + "\n")
    got = run(periods=quoted)
    assert got.exit_code == 2
    assert got.stderr.splitlines() == [
        f"{quoted}:5: column start_date: a quote opens here and is never closed, so the rest "
        'of the file would be read as this one field; expected a closing quote (") at the end '
        "of the field",
        "error: 1 problem found; nothing was imported. Correct the files and import again.",
    ]
    assert Referral.objects.count() == 0


def test_export_writes_a_formula_like_reference_as_inert_text(db, tmp_path):
    """Ids valid under tracker-format.md never start like a formula; one that reached the
    database some other way is quoted in the export (and so refused on re-import)."""
    import csv

    load(write_programme(tmp_path / "a", n=10))
    attack = '=HYPERLINK("http://x.invalid","y")'
    referral = Referral.objects.order_by("referral_id").first()
    referral.child.child_ref = attack
    referral.child.save()
    exported = {p.name: p for p in export_files(out_dir=tmp_path / "b")}
    with exported["referrals.csv"].open(newline="", encoding="utf-8-sig") as fh:
        refs = [r["child_ref"] for r in csv.DictReader(fh)]
    assert "'" + attack in refs and attack not in refs
    assert all(r == "'" + attack or r[0].isalnum() for r in refs)


def test_the_exported_tracker_is_plain_utf8_as_other_tools_read_it(db, tmp_path):
    # the interchange format: a tool reading it as UTF-8 sees the headings themselves, with
    # no byte-order mark before the first (the CSVs people open in Excel carry one)
    paths = write_programme(tmp_path / "a", n=5)
    load(paths)
    for path in export_files(out_dir=tmp_path / "b"):
        if path.suffix == ".csv":
            raw = path.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf"), path.name
            assert (
                raw.decode("utf-8").splitlines()[0] == paths[path.name].read_text().splitlines()[0]
            )
