"""Uploads in the browser: stored with who and when, imported by a job through the command
line's services (all or nothing), every problem as FILE:LINE: column C: ..., scoped."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from itertools import pairwise

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stars.core.models import AccessLog
from stars.demo.returns import LAST_YEAR
from stars.domain.tracker.parsing import tracker_columns
from stars.jobs.worker import run_worker
from stars.referrals.models import Referral
from stars.sufficiency.models import SufficiencyReturn
from stars.uploads.files import folder_of
from stars.uploads.models import Upload

pytestmark = pytest.mark.django_db(transaction=True)


def _files(paths, **replace):
    out = {}
    for field, path in paths.items():
        data = replace.get(field, path.read_bytes())
        out[field] = SimpleUploadedFile(f"my-{path.name}", data)
    return out


def _work() -> None:
    run_worker(batch=True, interval=0, verbosity=0)


def test_a_provider_manager_uploads_a_tracker_and_it_is_imported_by_a_job(
    client, users, tracker_files
):
    client.force_login(users["provider_manager"])
    assert client.get(reverse("upload_tracker")).status_code == 200
    response = client.post(reverse("upload_tracker"), _files(tracker_files))
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert response["Location"] == reverse("tracker_upload", kwargs={"tracker_upload": upload.pk})
    assert (upload.status, upload.uploaded_by_name) == ("waiting", "provider_manager")
    assert [f["name"] for f in upload.files] == [
        "my-dn2-stars.toml",
        "my-enquiries.csv",
        "my-referrals.csv",
        "my-outcome_periods.csv",
    ]
    assert (folder_of(upload) / "referrals.csv").read_bytes() == tracker_files[
        "referrals"
    ].read_bytes()
    page = client.get(response["Location"])
    assert b"upload-progress" in page.content and b'data-testid="check-now"' in page.content
    assert client.get(response["Location"] + "?format=json").json()["finished"] is False

    _work()

    upload.refresh_from_db()
    assert upload.status == "done" and upload.finished_at is not None
    assert Referral.objects.count() == 12
    page = client.get(response["Location"]).content.decode()
    assert "The tracker was imported." in page and "referrals: 12 new" in page
    assert "upload-progress" not in page
    status = client.get(response["Location"] + "?format=json").json()
    assert (status["finished"], status["percent"], status["status"]) == (True, 100, "done")
    actions = set(AccessLog.objects.values_list("action", "object_type"))
    assert {("upload", "upload tracker"), ("import", "tracker")} <= actions


def test_a_tracker_with_problems_imports_nothing_and_lists_each_problem_with_a_csv(
    client, users, tracker_files
):
    text = tracker_files["referrals"].read_text().splitlines()
    header = text[0].split(",")
    row = text[2].split(",")
    row[header.index("referral_date")] = "not-a-date"
    text[2] = ",".join(row)
    client.force_login(users["admin"])
    response = client.post(
        reverse("upload_tracker"),
        _files(tracker_files, referrals=("\n".join(text) + "\n").encode()),
    )
    _work()
    upload = Upload.objects.get()
    assert upload.status == "rejected" and upload.problems
    assert Referral.objects.count() == 0
    assert any(
        line.startswith("my-referrals.csv:3: column referral_date:") for line in upload.lines
    ), upload.lines
    assert all(str(folder_of(upload)) not in line for line in upload.lines)
    page = client.get(response["Location"]).content.decode()
    assert "nothing was imported" in page and "my-referrals.csv:3: column referral_date:" in page
    download = client.get(response["Location"] + "?format=csv")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["problem"] and [r[0] for r in rows[1:]] == upload.lines


def test_the_page_counts_no_problem_it_does_not_list(client, users, tracker_files):
    client.force_login(users["admin"])
    # a contract refused: the headline is the one problem, with no lines under it
    contract = tracker_files["contract"].read_text().replace("lcf_share =", "lcf_shar =", 1)
    response = client.post(
        reverse("upload_tracker"), _files(tracker_files, contract=contract.encode())
    )
    _work()
    page = client.get(response["Location"]).content.decode()
    assert "programme.lcf_share: is missing" in page
    assert "0 problems" not in page and "Download the problems" not in page
    # more problems than are listed: the headline counts them all, the page no other count
    lines = tracker_files["periods"].read_text().splitlines()
    bad = [lines[0], *(f"R-NONE-{i},2022-01-01," for i in range(205))]
    response = client.post(
        reverse("upload_tracker"),
        _files(tracker_files, periods=("\n".join(bad) + "\n").encode()),
    )
    _work()
    page = client.get(response["Location"]).content.decode()
    assert "205 problems found; nothing was imported" in page
    assert "201 problems" not in page and "... and 5 more problems" in page


def test_every_file_is_required_and_none_may_exceed_the_limit(
    client, users, tracker_files, settings
):
    settings.STARS_UPLOAD_MAX_MB = 1
    client.force_login(users["provider_manager"])
    files = _files(tracker_files)
    del files["periods"]
    files["enquiries"] = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
    response = client.post(reverse("upload_tracker"), files)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select the outcome periods CSV file" in body
    assert "The enquiries csv file must be smaller than 1 MB (it is 1.0 MB)" in body
    assert Upload.objects.count() == 0


def test_a_council_user_uploads_their_own_returns_and_another_council_cannot_see_them(
    client, users, returns_zip
):
    client.force_login(users["spoc"])
    form = client.get(reverse("upload_returns")).content.decode()
    assert 'name="council"' not in form  # their own council only
    response = client.post(
        reverse("upload_returns"), {"archive": SimpleUploadedFile("derby-903.zip", returns_zip)}
    )
    assert response.status_code == 302
    _work()
    upload = Upload.objects.get()
    assert (upload.status, upload.council.code) == ("done", "derby"), upload.headline
    assert SufficiencyReturn.objects.filter(council__code="derby").exists()
    assert "were imported" in client.get(response["Location"]).content.decode()
    client.force_login(users["spoc_nottingham"])
    assert client.get(response["Location"]).status_code == 404
    assert client.get(response["Location"] + "?format=json").status_code == 404
    client.force_login(users["admin"])
    assert client.get(response["Location"]).status_code == 200


def test_an_admin_chooses_the_council_and_a_bad_archive_is_rejected(client, users):
    client.force_login(users["admin"])
    form = client.get(reverse("upload_returns")).content.decode()
    assert 'name="council"' in form
    response = client.post(
        reverse("upload_returns"),
        {"council": "nottingham", "archive": SimpleUploadedFile("r.zip", b"not a zip")},
    )
    assert response.status_code == 302
    _work()
    upload = Upload.objects.get()
    assert upload.council.code == "nottingham"
    assert upload.status == "rejected"
    assert upload.headline.startswith("r.zip: not a ZIP file")


def test_other_roles_cannot_upload(client, users, tracker_files):
    client.force_login(users["key_worker"])
    assert client.post(reverse("upload_tracker"), _files(tracker_files)).status_code == 403
    client.force_login(users["provider_manager"])
    assert client.get(reverse("upload_returns")).status_code == 403
    assert Upload.objects.count() == 0


@pytest.fixture
def validator_env(settings):
    """DfE's validator's environment: the project's (made on first use, as the command
    line makes it)."""
    return settings.STARS_VALIDATOR_903


def test_a_council_user_checks_returns_with_dfes_rules_without_importing_them(
    client, users, returns_zip, validator_env
):
    # the returns' last two years: the later checked with the earlier beside it, as every
    # year but the first is (DfE's rules run a process a year; how many years is not the point)
    recent = {str(LAST_YEAR - 1), str(LAST_YEAR)}
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        archive = _zipped({n: z.read(n) for n in z.namelist() if n.split("/")[0] in recent})
    client.force_login(users["commissioner"])
    response = client.post(
        reverse("upload_returns"),
        {"action": "validate", "archive": SimpleUploadedFile("derby.zip", archive)},
    )
    assert response.status_code == 302
    _work()
    upload = Upload.objects.get()
    assert (upload.kind, upload.status) == ("validate", "done"), upload.headline
    assert not SufficiencyReturn.objects.exists()  # checked only
    page = client.get(response["Location"]).content.decode()
    assert "Checked" in page
    if upload.problems:
        assert "the database was not touched" in upload.headline
        assert all(": rule " in line and ": column " in line for line in upload.lines)
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(response["Location"] + "?format=csv").content.decode("utf-8-sig")
                )
            )
        )
        assert len(rows) == len(upload.lines) + 1
    else:
        assert "No findings" in upload.headline
    assert AccessLog.objects.filter(action="validate", object_id="derby").exists()


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_two_folders_with_the_same_year_are_refused_not_one_taken(client, users, returns_zip):
    # a ZIP of two councils' (or two versions') folders, each with 2024/: neither is taken
    # silently over the other
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    both = _zipped(
        {**{f"old/{n}": d for n, d in files.items()}, **{f"new/{n}": d for n, d in files.items()}}
    )
    client.force_login(users["spoc"])
    client.post(reverse("upload_returns"), {"archive": SimpleUploadedFile("both.zip", both)})
    _work()
    upload = Upload.objects.get()
    assert upload.status == "rejected", upload.headline
    assert upload.headline == (
        "the archive holds more than one file for a year; nothing was imported"
    )
    year = sorted(files)[0].split("/")[0]
    assert (
        f"both.zip: new/{year}/episodes.csv: a second {year}/episodes.csv "
        f"(the first is old/{year}/episodes.csv)" in upload.lines[0]
    ), upload.lines
    assert not SufficiencyReturn.objects.exists()


def test_a_zip_made_on_windows_is_read(client, users, returns_zip):
    # folders separated by "\" and names in capitals, as some Windows tools write them
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    windows = _zipped({"Returns\\" + n.replace("/", "\\").upper(): d for n, d in files.items()})
    client.force_login(users["spoc"])
    client.post(reverse("upload_returns"), {"archive": SimpleUploadedFile("w.zip", windows)})
    _work()
    upload = Upload.objects.get()
    assert upload.status == "done", (upload.headline, upload.lines[:3])
    assert SufficiencyReturn.objects.count() == len(files)


def test_an_old_workbook_in_the_archive_says_how_to_save_it(client, users, returns_zip):
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    year = sorted(files)[-1].split("/")[0]
    files[f"{year}/Episodes.xls"] = files.pop(f"{year}/episodes.csv")
    client.force_login(users["spoc"])
    client.post(reverse("upload_returns"), {"archive": SimpleUploadedFile("r.zip", _zipped(files))})
    _work()
    upload = Upload.objects.get()
    assert upload.status == "rejected", upload.headline
    assert upload.lines[0].startswith(
        f"{year}/Episodes.xls: a workbook saved as Excel 97-2003 (.xls) or OpenDocument "
    ), upload.lines
    assert "named episodes.xlsx" in upload.lines[0] and "CSV UTF-8" in upload.lines[0]
    assert not SufficiencyReturn.objects.exists()


def test_checking_returns_refuses_what_the_import_refuses_before_dfes_rules_run(
    client, users, returns_zip, monkeypatch
):
    # a year not begun today: the import's own rule, before DfE's rules are installed or run
    def not_run(*args, **kwargs):
        raise AssertionError("DfE's rules ran on returns the import refuses")

    monkeypatch.setattr("stars.sufficiency.validator.ensure_environment", not_run)
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    later = timezone.localdate().year + 2
    header, episodes = (next(d for n, d in files.items() if n.endswith(k)) for k in
                        ("header.csv", "episodes.csv"))  # fmt: skip
    archive = _zipped({f"{later}/header.csv": header, f"{later}/episodes.csv": episodes})
    client.force_login(users["commissioner"])
    client.post(
        reverse("upload_returns"),
        {"action": "validate", "archive": SimpleUploadedFile("late.zip", archive)},
    )
    _work()
    upload = Upload.objects.get()
    assert (upload.kind, upload.status) == ("validate", "rejected"), upload.headline
    assert upload.headline == (
        "1 problem found; the import would refuse them; nothing was validated. Correct the "
        "files and check them again."
    )
    assert upload.lines[0].startswith(f"{later}/: the {later - 1}-{later % 100:02d} return is ")
    assert not SufficiencyReturn.objects.exists()


def test_a_damaged_file_in_the_archive_is_named_and_nothing_is_imported(client, users, returns_zip):
    # a file changed after it was zipped (its checksum no longer matches): the headline
    # names it, as it does a file that is not a return
    data = bytearray(returns_zip)
    first = zipfile.ZipFile(io.BytesIO(returns_zip)).infolist()[0]
    at = first.header_offset + 30 + len(first.filename.encode()) + len(first.extra)
    data[at] ^= 0xFF  # the first byte of the first file, as stored (not compressed)
    client.force_login(users["spoc"])
    response = client.post(
        reverse("upload_returns"),
        {"archive": SimpleUploadedFile("returns.zip", bytes(data)), "action": "import"},
    )
    assert response.status_code == 302
    _work()
    upload = Upload.objects.get()
    assert upload.status == "rejected", upload.headline
    assert upload.headline.startswith(f"returns.zip: {first.filename} is damaged in the archive")
    assert upload.headline.endswith("nothing was imported")
    assert not SufficiencyReturn.objects.exists()


def test_the_tracker_page_shows_each_files_columns_not_a_document_users_cannot_open(client, users):
    # it sent browser users to docs/tracker-format.md, a file in the code they cannot reach
    client.force_login(users["provider_manager"])
    page = client.get(reverse("upload_tracker")).content.decode()
    assert "docs/" not in page and ".md" not in page
    assert "What each CSV file holds" in page
    # headings go down one level at a time (the page's h1, then each file's h2), so a screen
    # reader's list of headings skips none
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page)]
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    for name, columns in tracker_columns():
        assert f'<h2 class="govuk-heading-s">{name}</h2>' in page
        for column, optional in columns:
            shown = f"<li><code>{column}</code>{' (optional)' if optional else ''}</li>"
            assert shown in page, shown


def test_dfes_other_tables_of_a_return_in_the_archive_are_left_unread(client, users, returns_zip):
    # a council's 903 folder zipped as it is: each year's UASC and reviews tables beside the
    # header and the episodes, as a folder import takes it
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    years = sorted({n.split("/")[0] for n in files})
    for year in years:
        files[f"{year}/uasc.csv"] = b"CHILD,SEX,DOB,DUC\r\n"
        files[f"{year}/Reviews.csv"] = b"CHILD,DOB,REVIEW,REVIEW_CODE\r\n"
    client.force_login(users["spoc"])
    client.post(reverse("upload_returns"), {"archive": SimpleUploadedFile("r.zip", _zipped(files))})
    _work()
    upload = Upload.objects.get()
    assert upload.status == "done", (upload.headline, upload.lines[:3])
    assert SufficiencyReturn.objects.count() == 2 * len(years)
    assert (
        f"note: {years[0]}/Reviews.csv: not read (of each year's return, only its header and "
        "episodes are read)" in upload.lines
    ), upload.lines
    assert f"note: {years[-1]}/uasc.csv: not read" in " ".join(upload.lines)


def test_a_year_kept_as_one_workbook_of_its_tables_is_named_with_what_to_save(
    client, users, returns_zip
):
    with zipfile.ZipFile(io.BytesIO(returns_zip)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    year = sorted(files)[-1].split("/")[0]
    del files[f"{year}/header.csv"], files[f"{year}/episodes.csv"]
    files[f"{year}/SSDA903 {year}.xls"] = b"\xd0\xcf\x11\xe0"
    client.force_login(users["spoc"])
    client.post(reverse("upload_returns"), {"archive": SimpleUploadedFile("r.zip", _zipped(files))})
    _work()
    upload = Upload.objects.get()
    assert upload.status == "rejected", upload.headline
    assert upload.lines == [
        f"{year}/SSDA903 {year}.xls: a workbook saved as Excel 97-2003 (.xls) or OpenDocument "
        "(.ods), which is not read, in a year with no header.csv and episodes.csv: open it and "
        'save it as an Excel workbook (in Excel, File > Save As > "Excel Workbook (*.xlsx)"), '
        "its sheets named header and episodes"
    ], upload.lines
    assert not SufficiencyReturn.objects.exists()
