"""An upload over real HTTP (a live server): signed in, the form's CSRF token sent back
with the multipart files, as a browser does; without the token it is refused."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from openpyxl import load_workbook

from stars.demo.returns import LAST_YEAR
from stars.jobs.worker import run_worker
from stars.partnership.services import user_create
from stars.referrals.models import Referral
from stars.sufficiency.models import SufficiencyReturn
from stars.uploads import services
from stars.uploads.models import Upload
from tests.conftest import PASSWORD
from tests.live_http import Http, multipart
from tests.uploads.conftest import as_excel_saves
from tests.workbooks import workbook

pytestmark = pytest.mark.django_db(transaction=True)


def _files(paths: dict[str, Path]) -> dict[str, tuple[str, bytes]]:
    """The form's files: each field's file name and bytes."""
    return {field: (p.name, p.read_bytes()) for field, p in paths.items()}


def _post_tracker(web: Http, files: dict[str, tuple[str, bytes]]) -> tuple[int, Any, bytes]:
    """The tracker form posted with ``files`` and its CSRF token, as a browser posts it:
    the answer's status, headers and body."""
    body, headers = multipart({"csrfmiddlewaretoken": web.form_token("/uploads/tracker/")}, files)
    return web.request("POST", "/uploads/tracker/", body, headers)


def _tracker_imported(web: Http, files: dict[str, tuple[str, bytes]]) -> str:
    """The tracker form posted with ``files``, accepted, and its job run by the worker: the
    address of the upload's page."""
    status, answer, _ = _post_tracker(web, files)
    assert status == 302
    run_worker(batch=True, interval=0, verbosity=0)
    return answer["Location"]


def test_a_tracker_uploaded_over_http_with_its_csrf_token_is_imported(
    live_server, users, tracker_files
):
    web = Http(live_server)
    web.sign_in("provider_manager")
    files = _files(tracker_files)

    body, headers = multipart({}, files)
    status, _, _ = web.request("POST", "/uploads/tracker/", body, headers)
    assert status == 403  # no CSRF token: refused, nothing stored
    assert Upload.objects.count() == 0

    token = web.form_token("/uploads/tracker/")
    body, headers = multipart({"csrfmiddlewaretoken": token}, files)
    status, answer, _ = web.request("POST", "/uploads/tracker/", body, headers)
    assert status == 302
    detail = answer["Location"]
    upload = Upload.objects.get()
    assert detail == f"/uploads/tracker/{upload.pk}/"

    status, _, progress = web.request("GET", detail + "?format=json")
    assert status == 200 and b'"finished": false' in progress

    run_worker(batch=True, interval=0, verbosity=0)

    status, _, progress = web.request("GET", detail + "?format=json")
    assert b'"finished": true' in progress and b'"percent": 100' in progress
    status, _, page = web.request("GET", detail)
    assert status == 200 and "The tracker was imported." in page.decode()
    assert Referral.objects.count() == 12


def test_returns_as_councils_spreadsheets_save_them_are_imported_over_http(
    live_server, users, returns_zip
):
    # Windows-1252 and semicolons, UTF-16 and tabs, codes in lower case: read, and the
    # page says how; a date kept as Excel's serial number: refused at its line and column
    web = Http(live_server)
    web.sign_in("spoc")

    def upload(archive: bytes) -> tuple[Upload, str]:
        token = web.form_token("/uploads/returns/")
        body, headers = multipart(
            {"csrfmiddlewaretoken": token}, {"archive": ("derby-903.zip", archive)}
        )
        status, answer, _ = web.request("POST", "/uploads/returns/", body, headers)
        assert status == 302
        run_worker(batch=True, interval=0, verbosity=0)
        status, _, page = web.request("GET", answer["Location"])
        assert status == 200
        return Upload.objects.latest("pk"), page.decode()

    done, page = upload(as_excel_saves(returns_zip, LAST_YEAR, serial_dob=True))
    assert done.status == "rejected", done.headline
    assert done.lines == [
        f"{LAST_YEAR}/header.csv:2: column DOB: malformed date '40179'; expected dd/mm/YYYY "
        "(looks like an Excel date serial number; format the column as DD/MM/YYYY and save "
        "again: 40179 would be 01/01/2010)"
    ]
    assert "looks like an Excel date serial number" in page
    assert not SufficiencyReturn.objects.exists()

    done, page = upload(as_excel_saves(returns_zip, LAST_YEAR))
    assert done.status == "done", (done.headline, done.lines[:3])
    notes = [line for line in done.lines if line.startswith(f"note: {LAST_YEAR}/")]
    assert [n.split(" (")[0] for n in notes] == [
        f"note: {LAST_YEAR}/header.csv: read as Windows-1252, not UTF-8",
        f"note: {LAST_YEAR}/header.csv: columns separated by semicolons, not commas: read so",
        f"note: {LAST_YEAR}/episodes.csv: read as UTF-16",
        f"note: {LAST_YEAR}/episodes.csv: columns separated by tabs, not commas: read so",
        notes[4].split(" (")[0],
    ]
    assert notes[4].startswith(f"note: {LAST_YEAR}/episodes.csv: ") and "lower case" in notes[4]
    assert "read as Windows-1252, not UTF-8" in page and "read as UTF-16" in page
    header = SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="header")
    assert "Zoë Brontë, £950" in header.text


def test_the_first_tracker_of_a_new_service_stays_on_its_page_after_making_the_programme(
    live_server, tracker_files
):
    # a new service: no programme yet, its first administrator loads the first tracker
    user_create(username="first-admin", role="admin", council=None, password=PASSWORD)
    web = Http(live_server)
    web.sign_in("first-admin")
    detail = _tracker_imported(web, _files(tracker_files))

    upload = Upload.objects.get()
    assert upload.programme == "dn2-stars"
    status, _, page = web.request("GET", detail)
    assert status == 200 and "The tracker was imported." in page.decode()
    status, _, listing = web.request("GET", "/uploads/tracker/")
    assert status == 200 and detail.encode() in listing


def test_an_upload_the_disk_cannot_hold_is_refused_on_the_form_and_leaves_nothing(
    live_server, users, tracker_files, monkeypatch
):
    keep = services._keep

    def full_disk(folder: Path, field: str, stored: str, upload, name: str):
        if field == "referrals":  # the disk fills up halfway through the third file
            (folder / stored).write_bytes(upload.read(100))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return keep(folder, field, stored, upload, name)

    monkeypatch.setattr(services, "_keep", full_disk)
    uploads = Path(settings.STARS_HOME) / "uploads"
    kept_before = set(uploads.glob("*/*"))
    web = Http(live_server)
    web.sign_in("provider_manager")
    files = _files(tracker_files)
    status, _, page = _post_tracker(web, files)
    text = page.decode()
    assert status == 503
    assert "<title>Error: Upload a tracker" in text
    assert "could not be stored on the server (No space left on device)" in text
    assert "nothing was uploaded" in text
    assert Upload.objects.count() == 0
    assert set(uploads.glob("*/*")) == kept_before  # no part of a file left on the disk

    monkeypatch.setattr(services, "_keep", keep)  # room again: the same files go through
    status, _, _ = _post_tracker(web, files)
    assert status == 302 and Upload.objects.count() == 1


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: a disk that fills up (mounting needs root; skipped otherwise)."""
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + mounted.stderr.decode().strip())
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def test_a_large_upload_is_written_under_stars_home_and_a_full_disk_there_keeps_nothing(
    live_server, users, tracker_files, small_disk, settings
):
    # over 2.5 MB, Django writes the files to disk while it reads the request, before any
    # view: under STARS_HOME (the disk the operator sized), not the system's /tmp
    assert Path(settings.FILE_UPLOAD_TEMP_DIR) == Path(settings.STARS_HOME) / "tmp"
    assert Path(settings.FILE_UPLOAD_TEMP_DIR).is_dir()
    settings.FILE_UPLOAD_TEMP_DIR = str(small_disk)  # that disk, full
    uploads = Path(settings.STARS_HOME) / "uploads"
    kept_before = set(uploads.glob("*/*"))
    web = Http(live_server)
    web.sign_in("provider_manager")
    files = _files(tracker_files)
    big = files["referrals"][1] + b"\n" * (3 * 1024 * 1024)
    files["referrals"] = (files["referrals"][0], big)
    status, _, page = _post_tracker(web, files)
    text = page.decode()
    assert status == 503, text[:2000]
    assert "could not be stored on the server (No space left on device)" in text
    assert "nothing was uploaded" in text and 'class="govuk-template' in text
    assert Upload.objects.count() == 0
    assert set(uploads.glob("*/*")) == kept_before
    assert list(small_disk.iterdir()) == []  # no half-written file left on that disk


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_uploaded_files_are_readable_by_the_service_user_only(live_server, users, tracker_files):
    # the files hold children's records: another account on the server must not read them
    web = Http(live_server)
    web.sign_in("provider_manager")
    _tracker_imported(web, _files(tracker_files))

    folder = Path(settings.STARS_HOME) / "uploads" / str(Upload.objects.get().pk)
    kept = [p for p in folder.rglob("*")]
    assert {p.name for p in kept} >= {f["stored"] for f in Upload.objects.get().files}
    assert _mode(folder) == 0o700
    assert {p.name: _mode(p) for p in kept if p.is_file()} == {
        p.name: 0o600 for p in kept if p.is_file()
    }


@pytest.mark.parametrize("role", ["admin", "provider_manager"])
def test_an_administrator_adds_a_programme_beside_the_one_held_by_uploading_its_tracker(
    live_server, users, tracker_files, tmp_path, role
):
    # the service holds DN2 STARS; a new programme's contract names its own code
    other = tmp_path / "riverside.toml"
    other.write_text(
        tracker_files["contract"]
        .read_text()
        .replace('code = "dn2-stars"', 'code = "riverside"')
        .replace('name = "STARS"', 'name = "Riverside Families Together"')
    )
    web = Http(live_server)
    web.sign_in(role)
    detail = _tracker_imported(web, _files({**tracker_files, "contract": other}))

    upload = Upload.objects.get()
    status, _, progress = web.request("GET", detail + "?format=json")
    assert status == 200 and b'"finished": true' in progress  # its page still answers
    status, _, page = web.request("GET", detail)
    text = page.decode()
    if role == "admin":
        assert upload.status == "done" and upload.programme == "riverside"
        assert "The tracker was imported." in text
        assert "the programme riverside was added: choose it beside your name" in text
        assert Referral.objects.filter(programme__code="riverside").count() == 12
        assert users["admin"].programmes.filter(code="riverside").exists()
        status, _, home = web.request("GET", "/?programme=riverside")
        assert status == 200 and "Riverside Families Together" in home.decode()
    else:  # only an administrator adds a programme; nothing is imported
        assert upload.status == "rejected"
        assert "only an administrator can add a programme" in text
        assert not Referral.objects.exists()


def _year_workbook(archive: bytes, year: int) -> tuple[dict[str, bytes], bytes]:
    """The archive's files without ``year``'s, and ``year``'s tables as one workbook."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    tables = {
        kind.title(): files.pop(f"{year}/{kind}.csv").decode("utf-8")
        for kind in ("header", "episodes")
    }
    return files, workbook({**tables, "UASC": "CHILD,SEX,DOB,DUC\r\n"})


def test_returns_kept_as_workbooks_are_imported_over_http_and_a_bad_cell_named(
    live_server, users, returns_zip
):
    # a year's tables as sheets of one workbook, in the ZIP beside the other years' CSV
    # files, or uploaded on its own: imported as the CSV files are; a formula refused,
    # named by its workbook, sheet, row and column
    web = Http(live_server)
    web.sign_in("spoc")

    def upload(name: str, data: bytes) -> tuple[Upload, str]:
        token = web.form_token("/uploads/returns/")
        body, headers = multipart({"csrfmiddlewaretoken": token}, {"archive": (name, data)})
        status, answer, _ = web.request("POST", "/uploads/returns/", body, headers)
        assert status == 302
        run_worker(batch=True, interval=0, verbosity=0)
        status, _, page = web.request("GET", answer["Location"])
        assert status == 200
        return Upload.objects.latest("pk"), page.decode()

    files, book = _year_workbook(returns_zip, LAST_YEAR)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        for name, data in {**files, f"{LAST_YEAR}.xlsx": book}.items():
            z.writestr(name, data)
    done, page = upload("derby-903.zip", zipped.getvalue())
    assert done.status == "done", (done.headline, done.lines[:3])
    assert (
        f"note: {LAST_YEAR}.xlsx, sheet UASC: not read (of each year's return, only its header "
        "and episodes are read)" in done.lines
    ), done.lines
    assert "sheet UASC: not read" in page
    episodes = SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="episodes")
    assert episodes.file_name == f"{LAST_YEAR}.xlsx, sheet Episodes"

    sheets = load_workbook(io.BytesIO(book))
    sheets["Episodes"]["B3"] = "=TODAY()"  # DECOM worked out by a formula
    out = io.BytesIO()
    sheets.save(out)
    done, page = upload(f"SSDA903 {LAST_YEAR}.xlsx", out.getvalue())  # the workbook alone
    assert done.status == "rejected", done.headline
    assert done.lines == [
        f"{LAST_YEAR}.xlsx, sheet Episodes, row 3, column DECOM: cell B3 holds a formula "
        "(=TODAY()); expected a value (formulas are not worked out: copy the column and "
        "paste it as values)"
    ]
    assert "cell B3 holds a formula" in page
    assert SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="episodes") == episodes

    done, _ = upload(f"SSDA903 {LAST_YEAR}.xlsx", book)
    assert done.status == "done", (done.headline, done.lines[:3])


def test_an_archive_of_many_thousand_stray_files_is_refused_listing_the_first_200(
    live_server, users, returns_zip
):
    # 5,000 files that are not returns beside a year's: refused, nothing imported, and the
    # upload's page lists the first 200 and how many more, not a page of every one
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        with zipfile.ZipFile(io.BytesIO(returns_zip)) as given:
            for m in given.infolist():
                z.writestr(m, given.read(m))
        for n in range(5000):
            z.writestr(f"stray/x{n}.txt", b"")
    web = Http(live_server)
    web.sign_in("spoc")
    token = web.form_token("/uploads/returns/")
    body, headers = multipart(
        {"csrfmiddlewaretoken": token}, {"archive": ("a.zip", buffer.getvalue())}
    )
    status, answer, _ = web.request("POST", "/uploads/returns/", body, headers)
    assert status == 302
    run_worker(batch=True, interval=0, verbosity=0)
    status, _, page = web.request("GET", answer["Location"])
    upload = Upload.objects.get()
    assert upload.status == "rejected"
    assert len(upload.lines) == 201
    assert upload.lines[0] == (
        "a.zip: stray/x0.txt: not YEAR/header.csv or YEAR/episodes.csv (nor a workbook of a "
        "year's tables, YEAR/*.xlsx or YEAR.xlsx)"
    )
    assert upload.lines[-1] == "... and 4800 more problems"
    assert status == 200 and "... and 4800 more problems" in page.decode()
    assert "stray/x200.txt" not in page.decode()
    assert not SufficiencyReturn.objects.exists()


def test_a_contract_nested_thousands_deep_is_refused_at_its_line_and_column_over_http(
    live_server, users, tracker_files
):
    # tomllib ran Python's stack out on it: "could not be processed (RecursionError)"
    contract = tracker_files["contract"].read_text(encoding="utf-8")
    line = len(contract.splitlines()) + 1
    files = {f: (p.name, p.read_bytes()) for f, p in tracker_files.items()}
    files["contract"] = ("contract.toml", (contract + "zz = " + "[" * 20_000).encode())
    web = Http(live_server)
    web.sign_in("provider_manager")
    token = web.form_token("/uploads/tracker/")
    body, headers = multipart({"csrfmiddlewaretoken": token}, files)
    status, answer, _ = web.request("POST", "/uploads/tracker/", body, headers)
    assert status == 302
    run_worker(batch=True, interval=0, verbosity=0)
    status, _, page = web.request("GET", answer["Location"])
    upload = Upload.objects.get()
    assert (upload.status, upload.headline, upload.lines) == (
        "rejected",
        f"contract.toml:{line}: column 20005: (syntax): arrays or inline tables nested 20000 "
        "deep, too deep to read; expected a few levels; nothing was imported",
        [],
    )
    assert status == 200 and "nested 20000 deep" in page.decode()
    assert not Referral.objects.exists()
