"""The simulator page: aggregate figures with fan charts and tables, what-ifs beside the
baseline, the workbook, field errors, and a background job for a long simulation; a
simulation (or the check against history) starts only from the form's post, never a GET."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape as html_unescape

import openpyxl
import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from stars.core.models import AccessLog
from stars.jobs.worker import run_worker
from stars.reports import simulator_views, tasks

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DOWNLOAD = re.compile(r'href="([^"]+)" data-testid="simulation-xlsx"')

URL = "/reports/simulator/"
QUERY = {"as_of": "2023-09-30", "runs": "60", "seed": "1", "to": "", "settings": ""}


def test_the_form_comes_first_and_each_allowed_role_opens_it(client, programme):
    for role in ("commissioner", "provider_manager", "investor"):
        client.force_login(programme[role])
        page = client.get(URL)
        assert page.status_code == 200, role
        assert b"Contract simulator" in page.content and b"Simulate" in page.content
    client.force_login(programme["spoc"])
    assert client.get(URL).status_code == 403


def test_a_simulation_shows_fan_charts_with_their_tables_and_a_what_if(client, programme):
    client.force_login(programme["investor"])
    page = client.post(
        URL, {**QUERY, "settings": "cohort.B.weekly_outcome_payment=800\nreferral_rate=1.2"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "Baseline: median",
        "What-if: median",
        "Councils&#x27; net cash saving, cumulative",
        "Each financial year",
        "Referral minimums",
        "Assumptions fitted from the records",
        "<svg",
        'data-testid="fan_net_cash_saving"',
        'data-testid="minimums"',
        'data-testid="investor"',
        'data-testid="by_year_council"',
        "IRR (a year)",
        'data-testid="investor_by_year"',
    ):
        assert text in html, text
    xlsx = client.get(URL + html_unescape(DOWNLOAD.search(html)[1]))
    assert xlsx.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert "Assumptions" in wb.sheetnames


def test_after_the_contracts_end_the_form_offers_a_date_it_accepts(client, programme):
    """Once the contract has ended (its referral period and programme weeks run out),
    the form's own date is the day before the end: submitting it as offered works."""
    with time_machine.travel(dt.datetime(2028, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(programme["provider_manager"])
        form = client.get(URL).content.decode()
        offered = re.search(r'id="id_as_of" name="as_of" type="date" value="([^"]+)"', form)[1]
        assert offered == "2027-03-28"  # the contract ends on 29 March 2027
        assert client.post(URL, {**QUERY, "as_of": offered}).status_code == 200


def test_bad_input_is_answered_per_field(client, programme):
    client.force_login(programme["provider_manager"])
    page = client.post(URL, {**QUERY, "runs": "0", "settings": "cohort.Q.proving_weeks=3"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "govuk-error-message" in html
    page = client.post(URL, {**QUERY, "settings": "cohort.Q.proving_weeks=3"})
    assert page.status_code == 400
    assert "the contract has no cohort" in page.content.decode()
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_long_simulation_runs_as_a_background_job(client, programme, monkeypatch):
    monkeypatch.setattr(simulator_views, "INLINE_SECONDS", 0.0)
    client.force_login(programme["commissioner"])
    started = client.post(URL, {**QUERY, "runs": "150"})
    assert started.status_code == 302 and "?job=" in started["Location"]
    waiting = client.get(started["Location"])
    assert waiting.status_code == 200 and b"running in the background" in waiting.content
    run_worker(batch=True, interval=0, verbosity=0)
    done = client.get(started["Location"])
    assert done.status_code == 200
    assert b"Baseline: median" in done.content and b"150 runs" in done.content
    assert client.get(URL, {"job": "not-a-job"}).status_code == 404


def test_a_commissioner_simulates_their_own_councils_records(client, programme):
    client.force_login(programme["commissioner"])  # Derby's
    html = client.post(URL, QUERY).content.decode()
    assert "Records in view" in html and "Derby City Council" in html
    assert "Nottingham City Council" not in html
    assert "Cohort A" not in html.split('data-testid="minimums"')[1].split("</table>")[0]


def test_the_page_says_whose_records_its_figures_are_of(client, programme):
    """A commissioner's figures are their council's records: the page said "the whole
    programme" to them too."""
    client.force_login(programme["commissioner"])  # Derby's
    html = client.get(URL).content.decode()
    assert "Figures are for Derby City Council's records" in html
    assert "whole programme" not in html
    client.force_login(programme["investor"])
    html = client.get(URL).content.decode()
    assert "Figures are for the whole programme" in html


@pytest.mark.django_db(transaction=True)
def test_the_simulator_is_checked_against_the_programmes_own_history(client, programme):
    client.force_login(programme["provider_manager"])
    started = client.post(URL, {"check": "1", "as_of": "2024-06-30"})
    assert started.status_code == 302 and "?job=" in started["Location"]
    run_worker(batch=True, interval=0, verbosity=0)
    done = client.get(started["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert "How often the 80% band held the actual figure" in html
    assert 'data-testid="coverage"' in html and 'data-testid="calibration_cuts"' in html
    assert "Net cash saving" in html


@pytest.mark.django_db(transaction=True)
def test_a_background_simulation_is_shown_only_for_the_councils_it_was_worked_out_for(
    client, programme, monkeypatch
):
    """A job's link opened by a user with other councils in view (Nottingham's
    commissioner, the provider manager) is 404: its figures are of Derby's records."""
    from stars.partnership.services import user_create

    monkeypatch.setattr(simulator_views, "INLINE_SECONDS", 0.0)
    client.force_login(programme["commissioner"])  # Derby's
    started = client.post(URL, {**QUERY, "runs": "150"})["Location"]
    run_worker(batch=True, interval=0, verbosity=0)
    assert b"Baseline: median" in client.get(started).content
    nottingham = user_create(
        username="commissioner_n", role="commissioner", council="nottingham", password="x" * 20
    )
    for other in (nottingham, programme["provider_manager"]):
        client.force_login(other)
        assert client.get(started).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_check_against_history_runs_in_the_programme_worked_in(client, programme):
    """With a second programme in the service, the check runs in the programme whose page
    started it (it failed: no programme was named to the job)."""
    from stars.partnership.services import contract_load
    from tests.conftest import CONTRACT

    other = CONTRACT.read_text(encoding="utf-8").replace(
        'code = "dn2-stars"\nname = "STARS"', 'code = "other"\nname = "Other programme"'
    )
    contract_load(text=other, source="other.toml")
    client.force_login(programme["provider_manager"])  # of DN2 STARS only
    started = client.post(URL, {"check": "1", "as_of": "2024-06-30"})["Location"]
    run_worker(batch=True, interval=0, verbosity=0)
    assert "How often the 80% band held the actual figure" in client.get(started).content.decode()


def test_a_get_never_simulates_nor_starts_a_job(client, programme, monkeypatch):
    """A link opened, prefetched or preloaded by a browser is a GET: a simulation's query
    or the check against history only fills in the form, which is posted to start it."""

    def simulated(params):
        raise AssertionError(f"a GET simulated {params}")

    monkeypatch.setattr(simulator_views, "INLINE_SECONDS", 0.0)
    monkeypatch.setattr(simulator_views, "simulation_page", simulated)
    client.force_login(programme["commissioner"])
    asked = {**QUERY, "runs": "150", "settings": "referral_rate=1.2"}
    for query in (asked, {"check": "1", "as_of": "2024-06-30"}, {**asked, "runs": "0"}):
        page = client.get(URL, query)
        assert page.status_code == 200, query
        html = page.content.decode()
        assert "Baseline: median" not in html and "running in the background" not in html
        assert html.count('method="post" action="/reports/simulator/"') == 2
    assert DBTaskResult.objects.count() == 0
    filled = client.get(URL, asked).content.decode()  # a link's values, ready to post
    assert 'name="runs" type="text" inputmode="numeric" spellcheck="false" value="150"' in filled
    assert "referral_rate=1.2" in filled


@pytest.mark.django_db(transaction=True)
def test_a_simulation_is_posted_with_its_csrf_token(programme, monkeypatch):
    monkeypatch.setattr(simulator_views, "INLINE_SECONDS", 0.0)
    client = Client(enforce_csrf_checks=True)
    client.force_login(programme["provider_manager"])
    token = TOKEN.search(client.get(URL).content.decode())[1]
    for jobs, posted in enumerate(
        ({**QUERY, "runs": "150"}, {"check": "1", "as_of": "2024-06-30"})
    ):
        assert client.post(URL, posted).status_code == 403  # no token: refused
        assert DBTaskResult.objects.count() == jobs
        started = client.post(URL, {**posted, "csrfmiddlewaretoken": token})
        assert started.status_code == 302 and "?job=" in started["Location"]
        assert DBTaskResult.objects.count() == jobs + 1


def test_the_investor_simulates_from_a_quarter_s_end_only(client, programme):
    """Records as of a day inside a quarter would let two simulations a day apart tell what
    happened that day: the investor is refused on the field, and no job starts."""
    client.force_login(programme["investor"])
    page = client.post(URL, {**QUERY, "as_of": "2023-09-29"})
    assert page.status_code == 400
    assert b"Select records as of from the list: it must be the last day of a quarter" in (
        page.content
    )
    started = client.post(URL, {"check": "1", "as_of": "2024-06-29"})
    assert started.status_code == 400 and not DBTaskResult.objects.exists()
    assert client.post(URL, QUERY).status_code == 200  # 30 September 2023: a quarter's end
    with time_machine.travel(dt.datetime(2028, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(programme["investor"])
        form = client.get(URL).content.decode()
        offered = re.search(r'<option value="([^"]+)" selected>', form)[1]
        assert offered == "2026-12-31"  # the last quarter ended before the contract's end
        assert client.post(URL, {**QUERY, "as_of": offered}).status_code == 200


def _no_simulation(monkeypatch):
    """From here on, working a simulation out fails the test."""

    def simulated(*args, **kwargs):
        raise AssertionError("a GET simulated")

    monkeypatch.setattr(simulator_views, "simulation_page", simulated)
    monkeypatch.setattr(tasks, "simulation_for", simulated)


@pytest.mark.django_db(transaction=True)
def test_the_workbook_is_the_kept_result_of_the_simulation_posted(client, programme, monkeypatch):
    """The results' download link is a GET, which a prefetcher or a crawler may follow: it
    serves the workbook kept with the simulation's result (a short one worked out at once,
    a long one by a worker), and works nothing out. It simulated again on every GET, from
    the parameters in its address."""
    client.force_login(programme["provider_manager"])
    html = client.post(URL, QUERY).content.decode()
    link = html_unescape(DOWNLOAD.search(html)[1])
    assert link.startswith("?job=") and link.endswith("&format=xlsx")
    (kept,) = DBTaskResult.objects.all()  # a finished job: no worker will run it again
    assert kept.status == "SUCCESSFUL" and kept.worker_ids
    _no_simulation(monkeypatch)
    for _ in range(2):
        xlsx = client.get(URL + link)
        assert xlsx.status_code == 200
        assert xlsx["Content-Disposition"].endswith('-simulation-2023-09-30.xlsx"')
        run = dict(openpyxl.load_workbook(io.BytesIO(xlsx.content))["Run"].values)
        assert (run["Records as of"], run["Runs"], run["Seed"]) == ("2023-09-30", 60, 1)
    assert DBTaskResult.objects.count() == 1
    run_worker(batch=True, interval=0, verbosity=0)  # nothing waiting: nothing run again
    exports = AccessLog.objects.filter(action="export", object_id="simulation")
    assert exports.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_workbook_link_without_a_finished_simulation_says_so_and_works_nothing_out(
    client, programme, monkeypatch
):
    """An old link (the simulation's values in its address), a made-up or another user's
    job, or a job still running: 404, a page that says there is nothing to download yet,
    and no simulation worked out nor job started."""
    monkeypatch.setattr(simulator_views, "INLINE_SECONDS", 0.0)
    client.force_login(programme["commissioner"])  # Derby's
    started = client.post(URL, {**QUERY, "runs": "150"})["Location"]  # a background job
    job = started.split("?job=")[1]
    _no_simulation(monkeypatch)
    waiting = client.get(URL, {"job": job, "format": "xlsx"})
    assert waiting.status_code == 404
    assert b"still running" in waiting.content and f"?job={job}".encode() in waiting.content
    old_link = {**QUERY, "format": "xlsx"}
    for query in (old_link, {"job": "not-a-job", "format": "xlsx"}):
        page = client.get(URL, query)
        assert page.status_code == 404, query
        html = page.content.decode()
        assert 'data-testid="no-workbook"' in html and "no finished simulation" in html
        assert 'method="post" action="/reports/simulator/"' in html  # the form to simulate
    filled = client.get(URL, old_link).content.decode()  # with the old link's values
    assert 'name="runs" type="text" inputmode="numeric" spellcheck="false" value="60"' in filled
    assert DBTaskResult.objects.count() == 1
    assert not AccessLog.objects.filter(action="export").exists()
    monkeypatch.undo()
    run_worker(batch=True, interval=0, verbosity=0)
    done = client.get(started).content.decode()
    assert html_unescape(DOWNLOAD.search(done)[1]) == f"?job={job}&format=xlsx"
    assert client.get(URL, {"job": job, "format": "xlsx"}).status_code == 200
    client.force_login(programme["provider_manager"])  # the programme's, not Derby's
    other = client.get(URL, {"job": job, "format": "xlsx"})
    assert other.status_code == 404 and b"no finished simulation" in other.content
