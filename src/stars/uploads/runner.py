"""The job of an upload: import it, all or nothing, and record what became of it.

The import is the command line's own service (``stars.tracker.files.import_files``,
``stars.sufficiency.services.returns_import``): every problem a line
``FILE:LINE: column C: ...``, naming the file as it was uploaded.
"""

from __future__ import annotations

import logging
import os
import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils import timezone

from stars.core.audit import record_access
from stars.core.permissions import allowed
from stars.core.spool import UNPACKED_FACTOR, max_upload_bytes
from stars.core.templatetags.stars_format import count
from stars.domain.sufficiency.workbooks import WORKBOOK_PART
from stars.partnership.selectors import programme_codes
from stars.partnership.services import programme_join
from stars.sufficiency import validator
from stars.sufficiency.config import ConfigError, load_config
from stars.sufficiency.services import (
    WORKBOOK_SUFFIXES,
    ReturnsRejected,
    check_returns,
    problems_listed,
    return_files,
    returns_import,
)
from stars.tracker.files import TrackerRejected, import_files
from stars.uploads.files import RETURNS_ARCHIVE, folder_of, write_progress
from stars.uploads.models import Upload

logger = logging.getLogger("stars.uploads")


def _as_uploaded(upload: Upload, lines: list[str]) -> list[str]:
    """Problem lines naming each file as it was uploaded, not where it is kept."""
    folder = folder_of(upload)
    names = {str(folder / f["stored"]): f["name"] for f in upload.files}
    out = []
    for line in lines:
        for stored, name in names.items():
            line = line.replace(stored, name)
        out.append(line.replace(str(folder / "returns") + os.sep, "").replace(str(folder), ""))
    return out


def _unpack(upload: Upload) -> Path:
    """Unpack the returns archive into ``returns/``; refuse anything but YEAR/*.csv files
    and workbooks, YEAR/*.xlsx and YEAR.xlsx (what is read of them is ``return_files``'
    to say). An XLSX workbook uploaded in the archive's place is a year's return
    (``_workbook_uploaded``)."""
    folder = folder_of(upload)
    target = folder / "returns"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    name = upload.files[0]["name"]
    try:
        archive = zipfile.ZipFile(folder / RETURNS_ARCHIVE)
    except zipfile.BadZipFile as exc:
        raise ReturnsRejected(
            f"{name}: not a ZIP file; expected a ZIP holding YEAR/header.csv and "
            "YEAR/episodes.csv; nothing was imported",
            [],
        ) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        most = UNPACKED_FACTOR * max_upload_bytes()
        if sum(m.file_size for m in members) > most:
            raise ReturnsRejected(
                f"{name}: unpacks to more than {most // (1024 * 1024)} MB; nothing was imported",
                [],
            )
        if WORKBOOK_PART in {m.filename for m in members}:
            return _workbook_uploaded(upload, target)
        problems, twice = [], 0  # twice: files of a year already unpacked
        unpacked: dict[tuple[str, str], str] = {}  # YEAR/file -> the member unpacked there
        for m in members:
            # a folder separator written as "\\" (some Windows tools), a name in any case
            path = PurePosixPath(m.filename.replace("\\", "/"))
            parts = path.parts
            stem, suffix = PurePosixPath(path.name.lower()).stem, path.suffix.lower()
            if (
                parts
                and suffix in WORKBOOK_SUFFIXES
                and stem.isdigit()
                and len(stem) == 4
                and not (len(parts) > 1 and parts[-2].isdigit())
            ):
                parts = ("", parts[-1])  # YEAR.xlsx, a year's tables, beside the years
            elif parts and parts[0] not in ("__MACOSX",) and len(parts) > 2:
                parts = parts[-2:]  # YEAR/file.csv inside a top folder
            if len(parts) == 2 and parts[1].lower() in ("header.csv", "episodes.csv"):
                parts = (parts[0], parts[1].lower())
            # a year's other CSV files (DfE's other tables of the return: UASC, reviews,
            # ...) and its workbooks are unpacked beside it, as in a folder: what is read of
            # them and what is left unread (with a note) is the import's to say
            # (``return_files``)
            beside = suffix in (".csv", *WORKBOOK_SUFFIXES)
            if (
                len(parts) != 2
                or not (parts[0].isdigit() or parts[0] == "")
                or not beside
                or path.name.startswith(("~$", "."))
            ):
                if not path.name.startswith(".") and not path.name.startswith("~$"):
                    problems.append(
                        f"{name}: {m.filename}: not YEAR/header.csv or YEAR/episodes.csv "
                        "(nor a workbook of a year's tables, YEAR/*.xlsx or YEAR.xlsx)"
                    )
                continue
            year, file = parts[0], parts[1]
            if (year, file) in unpacked:
                problems.append(
                    f"{name}: {m.filename}: a second {year}/{file} (the first is "
                    f"{unpacked[year, file]}); expected one header.csv and one episodes.csv "
                    "for each year"
                )
                twice += 1
                continue
            unpacked[year, file] = m.filename
            (target / year).mkdir(exist_ok=True)  # "" for YEAR.xlsx: the target itself
            try:
                with archive.open(m) as src, (target / year / file).open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                # a file cut short or changed after it was zipped: say which, not only
                # "could not be processed (BadZipFile)"
                raise ReturnsRejected(
                    f"{name}: {m.filename} is damaged in the archive ({exc}); zip the "
                    "returns again; nothing was imported",
                    [],
                ) from exc
        if problems:
            what = [
                *(["files that are not returns"] if len(problems) > twice else []),
                *(["more than one file for a year"] if twice else []),
            ]
            raise ReturnsRejected(
                f"the archive holds {' and '.join(what)}; nothing was imported",
                problems_listed(problems),
            )
    return target


def _workbook_uploaded(upload: Upload, target: Path) -> Path:
    """A workbook uploaded in place of an archive (an XLSX file is a ZIP too): the tables of
    the year it is named by (``2024.xlsx``, or a name ending in the year), put where the
    import reads a year's workbook, ``YEAR.xlsx``."""
    name = upload.files[0]["name"]
    stem = PurePosixPath(name).stem
    year = stem[-4:]
    if not (year.isdigit() and (len(stem) == 4 or not stem[-5].isdigit())):
        raise ReturnsRejected(
            f"{name}: a workbook not named by its collection year; expected the year it "
            "ends in, e.g. 2025.xlsx for 2024-25 (or a ZIP holding YEAR/header.csv and "
            "YEAR/episodes.csv); nothing was imported",
            [],
        )
    shutil.copyfile(folder_of(upload) / RETURNS_ARCHIVE, target / f"{year}.xlsx")
    return target


def _programme_narrowed(upload: Upload) -> str | None:
    """The programme an uploaded tracker must be for: the one its uploader worked in; ""
    when they worked in none of a service holding programmes (so it may be for none of
    those); None only while the service holds none (the first tracker makes it)."""
    if upload.programme:
        return upload.programme
    return "" if programme_codes() else None


def _tracker(upload: Upload) -> tuple[str, list[str]]:
    folder = folder_of(upload)
    path = {f["field"]: folder / f["stored"] for f in upload.files}

    def progress(stage: str, done: int, total: int) -> None:
        write_progress(upload, f"Importing {stage}", done, total)

    write_progress(upload, "Checking the files", 0, 0)
    narrowed = _programme_narrowed(upload)
    summary, warnings = import_files(
        contract=path["contract"],
        enquiries=path["enquiries"],
        referrals=path["referrals"],
        periods=path["periods"],
        by=upload.uploaded_by,
        on_progress=progress,
        programme=narrowed,
        may_add_programme=allowed(upload.uploaded_by, "programme_add"),
    )
    added = []
    if upload.programme != summary.programme:
        # the first tracker of a new service makes its programme, and so does an
        # administrator's tracker for a programme not held yet: the upload is that
        # programme's from now on, so its page and the list still show it to the uploader
        if narrowed is not None and upload.uploaded_by is not None:
            programme_join(user=upload.uploaded_by, code=summary.programme)
            added = [
                f"the programme {summary.programme} was added: choose it beside your name "
                "to work in it"
            ]
        upload.programme = summary.programme
        upload.save(update_fields=["programme"])
    lines = added + [
        f"{kind}: {c.created} new, {c.updated} updated, {c.unchanged} unchanged"
        for kind, c in (
            ("enquiries", summary.enquiries),
            ("referrals", summary.referrals),
            ("outcome periods", summary.periods),
        )
    ]
    for kind, ids in (
        ("enquiries", summary.absent_enquiries),
        ("referrals", summary.absent_referrals),
    ):
        if ids:
            lines.append(f"{len(ids)} {kind} in the database are not in the files (kept)")
    lines += [f"warning: {w}" for w in warnings]
    return "The tracker was imported.", lines


def _returns(upload: Upload) -> tuple[str, list[str]]:
    assert upload.council is not None
    write_progress(upload, "Unpacking the archive", 0, 0)
    folder = _unpack(upload)

    def progress(done: int, total: int) -> None:
        write_progress(upload, "Checking the returns", done, total)

    done = returns_import(
        council=upload.council, folder=folder, by=upload.uploaded_by, progress=progress
    )
    years = ", ".join(str(y) for y in done.years)
    lines = [
        f"collection years {years}",
        f"{count(done.children)} children, {count(done.episodes)} episodes",
        *(f"note: {n}" for n in done.notes),
    ]
    return f"The returns of {upload.council.name} were imported.", lines


class NotChecked(Exception):
    """DfE's validator could not check the returns; the message says why."""


class ValidatorNotReady(NotChecked):
    """DfE's validator could not be installed or run on the server: the message names the
    server's folders, for the administrator alone (``lines`` of a failed upload)."""


NOT_READY = (
    "DfE's validator is not ready on this server. Ask your administrator to set it up; "
    "the database was not touched"
)


def _validate(upload: Upload) -> tuple[str, list[str], bool]:
    """Check the returns with DfE's rules; the database is not touched."""
    council = upload.council
    assert council is not None
    try:
        la = load_config(settings.STARS_SUFFICIENCY_CONFIG).of_council(council.code).ons_code
    except ConfigError as exc:
        raise NotChecked(str(exc)) from exc
    if la is None:
        raise NotChecked(
            f"{council.name} has no ONS code in the sufficiency configuration "
            "([local_authority]); ask an administrator to add it"
        )
    write_progress(upload, "Unpacking the archive", 0, 0)
    folder = _unpack(upload)
    files = return_files(folder)
    _, notes = check_returns(folder)  # what the import would refuse, before DfE's rules
    try:
        python = validator.ensure_environment(
            settings.STARS_VALIDATOR_903,
            lambda message: write_progress(upload, "Installing DfE's validator (once)", 0, 0),
        )
        findings = validator.validate_years(
            python,
            files=files,
            la=la,
            progress=lambda y, i, n: write_progress(upload, f"Rules of {y}", i, n),
        )
    except validator.ValidatorUnavailable as exc:
        raise ValidatorNotReady(str(exc)) from exc
    years = sorted({f.year for f in files})
    record_access(
        user=upload.uploaded_by,
        action="validate",
        object_type="ssda903",
        object_id=council.code,
        detail=f"collection years {', '.join(map(str, years))}: {len(findings)} findings",
    )
    lines = [f.describe() + (f" (child {f.child})" if f.child else "") for f in findings]
    lines += [f"note: {n}" for n in notes]  # how files were read, as DfE's rules read them
    if not findings:
        return "No findings: the returns pass every DfE rule that applies.", lines, False
    n = len(findings)
    return (
        f"{n} finding{'s' if n != 1 else ''} of DfE's rules in "
        f"{', '.join(map(str, years))}; the database was not touched.",
        lines,
        True,
    )


def run(upload_id: int) -> str:
    """The job: import the upload, all or nothing, and record the outcome."""
    upload = Upload.objects.select_related("council", "uploaded_by").get(pk=upload_id)
    upload.status = Upload.Status.RUNNING
    upload.save(update_fields=["status"])
    try:
        if upload.kind == Upload.Kind.VALIDATE:
            headline, lines, found = _validate(upload)
            upload.status, upload.problems = Upload.Status.DONE, found
        else:
            job = _tracker if upload.kind == Upload.Kind.TRACKER else _returns
            headline, lines = job(upload)
            upload.status, upload.problems = Upload.Status.DONE, False
    except ValidatorNotReady as exc:
        # the server's folder is for the administrator: the page shows it to them alone
        headline, lines = f"The returns could not be checked: {NOT_READY}.", [str(exc)]
        upload.status, upload.problems = Upload.Status.FAILED, False
    except NotChecked as exc:
        headline, lines = f"The returns could not be checked: {exc}", []
        upload.status, upload.problems = Upload.Status.FAILED, False
    except (TrackerRejected, ReturnsRejected) as exc:
        headline, lines = exc.headline, exc.lines
        upload.status, upload.problems = Upload.Status.REJECTED, True
    except Exception as exc:  # noqa: BLE001  recorded for the person who uploaded
        logger.exception("upload %s could not be processed", upload_id)
        headline = (
            f"The upload could not be processed ({type(exc).__name__}); nothing was imported."
        )
        lines, upload.status, upload.problems = [], Upload.Status.FAILED, False
    upload.headline = _as_uploaded(upload, [headline])[0]
    upload.lines = _as_uploaded(upload, lines)
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "problems", "headline", "lines", "finished_at"])
    write_progress(upload, upload.get_status_display(), 1, 1)
    return str(upload.status)
