"""The cached downloads over real HTTP (a live server), signed in through the sign-in page:
the evaluator's extract (``stars.finance.cached.evaluator_extract``) and the evaluation
report's files (``stars.reports.services.evaluation_file``). Fetched twice, a download
gives the same bytes, is built once (the second is read from the cache) and is in the
access log twice: every download is logged, cached or not."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from stars.cases.services import outcome_period_record
from stars.core.models import AccessLog
from stars.domain.spreadsheet_text import csv_text
from stars.finance import figures
from stars.finance.documents import CSV_HEADERS
from stars.finance.services import claim_dispute_line, claim_prepare, claim_submit
from stars.referrals.models import Referral
from stars.reports import services
from tests.conftest import make_referral
from tests.finance.conftest import TODAY
from tests.live_http import Http

AS_OF = dt.date(2024, 12, 31)
EXTRACT = reverse("finance_extract")
REPORT = reverse("report_evaluation")


@pytest.fixture
def evaluator(live_server, users, referrals):
    derby = referrals["derby"]
    outcome_period_record(referral=derby, start_date=derby.referral_date + dt.timedelta(days=3))
    web = Http(live_server)
    web.sign_in("evaluator")
    return web


def _counted(monkeypatch, module, name: str) -> list[int]:
    built: list[int] = []
    original = getattr(module, name)

    def counted(*args, **kwargs):
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return built


def _twice(web: Http, path: str, kind: str) -> bytes:
    first = web.request("GET", path)
    second = web.request("GET", path)
    for status, headers, body in (first, second):
        assert status == 200, (path, status, body[:200])
        assert headers["Content-Type"].startswith(kind), headers["Content-Type"]
        assert body
    assert second[2] == first[2]  # the same bytes
    return first[2]


@pytest.mark.parametrize(
    "fmt, kind",
    [("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")],
)
def test_the_extract_downloaded_twice_is_the_same_file_built_once_and_logged_twice(
    evaluator, monkeypatch, fmt, kind
):
    built = _counted(monkeypatch, figures, "evaluator_rows")
    body = _twice(evaluator, f"{EXTRACT}?as_of={AS_OF}&format={fmt}", kind)
    if fmt == "csv":  # UTF-8 with a byte-order mark, so that Excel on Windows reads it right
        assert body.startswith(b"\xef\xbb\xbf")
        assert body.decode("utf-8-sig").startswith(",".join(figures.EXTRACT_COLUMNS))
    assert len(built) == 1  # the second download was read from the cache
    logged = AccessLog.objects.filter(object_type="evaluator_extract", object_id=str(AS_OF))
    assert logged.count() == 2
    assert {e.user.get_username() for e in logged} == {"evaluator"}
    assert all(e.detail.endswith(f"pseudonymised for evaluator, {fmt}") for e in logged)


def test_the_evaluation_report_json_downloaded_twice_is_built_once_and_logged_twice(
    evaluator, monkeypatch
):
    built = _counted(monkeypatch, services, "evaluation_json")
    _twice(evaluator, f"{REPORT}?as_of={AS_OF}&format=json", "application/json")
    assert len(built) == 1
    logged = AccessLog.objects.filter(object_type="report", object_id="evaluation", detail="json")
    assert logged.count() == 2


def test_the_evaluation_workbook_downloaded_twice_is_the_same_file_and_logged_twice(
    evaluator, monkeypatch
):
    """The workbook is written from the page's cached figures on each download: undated, so
    the same figures give the same bytes."""
    built = _counted(monkeypatch, services, "evaluation_context")
    _twice(evaluator, f"{REPORT}?as_of={AS_OF}&format=xlsx", "application/vnd.openxmlformats")
    assert len(built) == 1  # the figures worked out once, the workbook written from them
    logged = AccessLog.objects.filter(object_type="report", object_id="evaluation", detail="xlsx")
    assert logged.count() == 2


def test_a_claim_csv_over_http_is_utf8_with_a_byte_order_mark_excel_reads(
    live_server, users, money_referrals, derby
):
    """Excel on Windows read "£" as "Â£" and "Zoë" as "ZoÃ«" in a CSV without a byte-order
    mark: the claim's CSV starts with one, and read as UTF-8 it is the same table."""
    pm, commissioner = users["provider_manager"], users["commissioner"]
    claim = claim_prepare(council=derby, month=dt.date(2022, 4, 1), by=pm, today=TODAY)
    claim_submit(claim=claim, by=pm)
    reason = "Zoë's £5 fee was paid by Ciarán's council"
    claim_dispute_line(line=claim.lines.first(), by=commissioner, reason=reason)
    web = Http(live_server)
    web.sign_in("commissioner")
    status, headers, body = web.request(
        "GET", reverse("claim_detail", args=["derby", "2022-04"]) + "?format=csv"
    )
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig") == csv_text(CSV_HEADERS, _table(body)[1:])
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0]["council"] == "derby"
    assert [r["dispute_reason"] for r in rows if r["disputed"] == "yes"] == [reason]


def _table(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_extract_s_rows_within_a_month_tell_neither_the_day_nor_the_id(live_server, users):
    """Six referrals in January 2022, one a day in the order of their ids: the extract's rows
    run by month, then by pseudonym, so a row's place gives away neither its referral's
    day (the extract shows months) nor its id (printed on claims)."""
    for i in range(6):
        made = make_referral(f"R-0{i}", "derby")
        Referral.objects.filter(pk=made.pk).update(referral_date=dt.date(2022, 1, 10 + i))
    web = Http(live_server)
    web.sign_in("evaluator")
    status, _, body = web.request("GET", f"{EXTRACT}?as_of={AS_OF}&format=csv")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    january = [r["referral"] for r in rows if r["referral_month"] == "2022-01"]
    assert len(january) == 6
    assert january == sorted(january)
