"""The API over real HTTP (a live server): what a council's system or a browser really meets.

Django's test client skips the CSRF check, so authentication and CSRF are tested here.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from stars.core.api import MAX_PAGE, basic_header
from stars.referrals import services
from stars.referrals.models import Child, Enquiry
from tests.conftest import PASSWORD
from tests.live_http import Http

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_curl_body() -> dict:
    """The JSON body of the README's curl example, as a council's developer would copy it."""
    text = README.read_text(encoding="utf-8")
    curl = re.search(r"curl -u spoc:PASSWORD .*?-X POST \S+/api/enquiries.*?-d '(.*?)'", text, re.S)
    assert curl, "the README's curl example for POST /api/enquiries is missing"
    return json.loads(curl.group(1))


def basic(user: str = "spoc", password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": basic_header(user, password)}


def assert_problem(body: dict, field: str | None = None) -> None:
    """The declared error shape: ``detail`` in words, ``field`` when one is at fault."""
    assert set(body) <= {"detail", "field"} and isinstance(body["detail"], str), body
    if field is not None:
        assert body["field"] == field, body


@pytest.fixture
def web(live_server, users):
    return Http(live_server)


# -- authentication and CSRF ----------------------------------------------------------------


def test_the_readme_curl_example_records_an_enquiry_with_basic_and_no_csrf_token(web):
    status, body = web.json("POST", "/api/enquiries", readme_curl_body(), basic())
    assert status == 201, body
    assert body["council"] == "derby" and Enquiry.objects.filter(enquiry_id=body["enquiry_id"])


def test_a_wrong_basic_password_is_401_not_a_csrf_refusal(web):
    status, head, data = web.request(
        "POST", "/api/enquiries", readme_curl_body(), basic(password="bad")
    )
    assert status == 401
    assert_problem(json.loads(data))
    # no Basic challenge: a browser never prompts for, nor keeps sending, Basic credentials,
    # which is why a Basic request can go without the CSRF token
    assert "WWW-Authenticate" not in head
    assert Enquiry.objects.count() == 0


def test_a_signed_in_browser_must_send_the_csrf_token(web):
    web.sign_in("spoc")
    status, body = web.json("POST", "/api/enquiries", readme_curl_body())
    assert status == 403 and "X-CSRFToken" in body["detail"], body
    assert Enquiry.objects.count() == 0
    token = {"X-CSRFToken": web.cookies["csrftoken"]}
    status, body = web.json("POST", "/api/enquiries", readme_curl_body(), token)
    assert status == 201, body


# -- the docs and the OpenAPI document -------------------------------------------------------


def test_docs_and_openapi_document_need_sign_in(web):
    for path in ("/api/docs", "/api/openapi.json"):
        status, head, _ = web.request("GET", path)
        assert status == 302 and head["Location"].startswith("/sign-in/?next="), (path, status)
    status, spec = web.json("GET", "/api/openapi.json", headers=basic())
    assert status == 200 and "/api/enquiries" in spec["paths"]
    web.sign_in("spoc")
    status, _, html = web.request("GET", "/api/docs")
    assert status == 200


def test_docs_page_loads_swagger_ui_from_our_own_static_files(web):
    web.sign_in("investor")
    status, head, page = web.request("GET", "/api/docs")
    html = page.decode()
    assert status == 200 and "script-src 'self'" in head["Content-Security-Policy"]
    assert "<script>" not in html and "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets), assets
    for asset in assets:
        assert web.request("GET", asset)[0] == 200, asset


def test_openapi_document_declares_every_error_as_a_problem(web):
    _, spec = web.json("GET", "/api/openapi.json", headers=basic())
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["required"] == ["detail"]
    assert problem["properties"]["detail"]["type"] == "string"
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            # 404: also a programme the user does not belong to; 429: locked out
            for code in ("401", "403", "404", "422", "429"):
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem", (method, path, code)
            programme = [p for p in op["parameters"] if p["name"] == "programme"]
            assert programme and programme[0]["in"] == "query", (method, path)
            assert programme[0]["schema"] == {"type": "string"} and not programme[0]["required"]
    assert {"400", "413"} <= set(spec["paths"]["/api/enquiries"]["post"]["responses"])
    page = next(
        p for p in spec["paths"]["/api/enquiries"]["get"]["parameters"] if p["name"] == "page"
    )
    assert (page["schema"]["minimum"], page["schema"]["maximum"]) == (1, MAX_PAGE)
    fields = spec["components"]["schemas"]["EnquiryIn"]["properties"]
    assert fields["given_name"]["maxLength"] == 100 and fields["social_worker"]["maxLength"] == 200
    assert "sen" in fields["needs"]["items"]["enum"]
    assert "chronology" in fields["papers"]["items"]["enum"]


# -- answers, never a 500 --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/enquiries", "/api/referrals"])
@pytest.mark.parametrize("page", ["9223372036854775807", "0", str(MAX_PAGE + 1), "x"])
def test_a_page_out_of_bounds_is_a_422_naming_page(web, path, page):
    status, body = web.json("GET", f"{path}?page={page}", headers=basic("commissioner"))
    assert status == 422
    assert_problem(body, "page")


def test_the_last_page_answers_empty(web):
    status, body = web.json("GET", f"/api/enquiries?page={MAX_PAGE}", headers=basic())
    assert (status, body) == (200, [])


def test_a_body_over_the_upload_limit_is_413(web, settings):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    body = json.dumps({**readme_curl_body(), "why_now": "x" * size})
    status, answer = web.json(
        "POST", "/api/enquiries", body, {**basic(), "Content-Type": "application/json"}
    )
    assert status == 413
    assert_problem(answer)
    assert Enquiry.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", "Al\x00ex"),
        ("family_name", "S" * 1_000_000),
        ("social_worker", "w" * 100_000),
        ("team", "t" * 100_000),
        ("why_now", "Because\x00"),
        ("why_now", "w" * 100_000),
        ("cohort", "D" * 100_000),
        ("council", "derby\x00"),
    ],
)
def test_text_the_database_cannot_hold_is_a_422_naming_the_field(web, field, value):
    status, body = web.json("POST", "/api/enquiries", {**readme_curl_body(), field: value}, basic())
    assert status == 422, body
    assert_problem(body, field)
    assert Enquiry.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": 7}, "given_name"),
        ({"date_of_birth": "2012-02-30"}, "date_of_birth"),
        ({"needs": "sen"}, "needs"),
        ({"outside_criteria": "perhaps"}, "outside_criteria"),
        ({"enquiry_date": None}, "enquiry_date"),
    ],
)
def test_a_body_that_does_not_fit_the_schema_is_a_problem_naming_the_field(web, change, field):
    status, body = web.json("POST", "/api/enquiries", {**readme_curl_body(), **change}, basic())
    assert status == 422
    assert_problem(body, field)


def test_a_missing_field_or_body_is_a_problem(web):
    body = readme_curl_body()
    del body["family_name"]
    status, answer = web.json("POST", "/api/enquiries", body, basic())
    assert status == 422 and answer == {
        "detail": "family_name is required",
        "field": "family_name",
    }
    status, answer = web.json("POST", "/api/enquiries", b"", basic())
    assert status == 422
    assert_problem(answer)
    status, answer = web.json("POST", "/api/enquiries", b"{not json", basic())
    assert status == 400
    assert_problem(answer)


# -- the enquiry's rules, the same as the form's ---------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "detail"),
    [
        (
            {"enquiry_date": "2099-01-04", "date_of_birth": "2088-01-01"},
            "enquiry_date",
            "Enquiry date must be today or in the past",
        ),
        (
            {"enquiry_date": "2020-08-31", "date_of_birth": "2010-01-01"},
            "enquiry_date",
            "Enquiry date must be on or after 1 September 2020, when the programme started",
        ),
        (
            {"date_of_birth": "0001-01-01", "outside_criteria": True},
            "date_of_birth",
            "Date of birth must be no more than 25 years before the enquiry date",
        ),
        (
            {"date_of_birth": "2024-02-02", "outside_criteria": True},
            "date_of_birth",
            "Date of birth must be on or before the enquiry date",
        ),
        ({"given_name": "   "}, "given_name", "Enter the child's first name"),
        ({"family_name": "\t"}, "family_name", "Enter the child's last name"),
        ({"needs": ["sen", "anything at all"]}, "needs", "Select needs from the list"),
        ({"papers": ["passport"]}, "papers", "Select papers received from the list"),
    ],
)
def test_an_enquiry_the_rules_refuse_is_a_422_naming_the_field(web, change, field, detail):
    status, body = web.json("POST", "/api/enquiries", {**readme_curl_body(), **change}, basic())
    assert status == 422
    assert body == {"detail": detail, "field": field}
    assert Enquiry.objects.count() == 0


# -- every error is a Problem, whatever goes wrong ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/enquiries", "GET, HEAD, POST"),
        ("PUT", "/api/enquiries/E000001", "GET, HEAD"),
        ("POST", "/api/referrals", "GET, HEAD"),
        ("PATCH", "/api/referrals/R000001", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_a_json_405_naming_the_methods_allowed(web, method, path, allowed):
    status, head, data = web.request(method, path, b"{}", basic())
    assert status == 405 and head["Content-Type"] == "application/json", (status, data[:80])
    body = json.loads(data)
    assert_problem(body)
    assert method in body["detail"] and allowed in body["detail"], body
    assert sorted(head["Allow"].split(", ")) == allowed.split(", ")
    assert Enquiry.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/", "/api/nothing", "/api/enquiries/", "/api/referrals/a/b"])
def test_a_path_the_api_does_not_have_is_a_json_404(web, path):
    status, head, data = web.request("GET", path, headers=basic())
    assert status == 404 and head["Content-Type"] == "application/json", (status, data[:80])
    body = json.loads(data)
    assert_problem(body)
    assert "/api/openapi.json" in body["detail"], body


def test_an_unknown_programme_is_a_404_saying_so(web):
    status, body = web.json(
        "GET", "/api/referrals?programme=nope", headers=basic("provider_manager")
    )
    assert status == 404
    assert_problem(body)
    assert "nope" in body["detail"] and "programme" in body["detail"], body


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, "HTTP Basic"),
        (basic(password="wrong"), "user name or password"),
        (basic(user="nobody"), "user name or password"),
        ({"Authorization": "Basic !!!"}, "user name or password"),
        ({"Authorization": "Bearer abc"}, "HTTP Basic"),
    ],
)
def test_a_missing_or_wrong_password_is_a_401_saying_which(web, headers, words):
    status, body = web.json("GET", "/api/enquiries", headers=headers)
    assert status == 401
    assert_problem(body)
    assert words in body["detail"], body


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"[1, 2]", "a JSON object"),
        (b'"text"', "a JSON object"),
        (b"null", "a JSON object"),
        (b'{"cohort": "D",\n "given_name": }', "line 2 column 16"),
        ('{"given_name": "Jos\xe9"}'.encode("latin-1"), "UTF-8"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400_saying_why(web, raw, words):
    status, head, data = web.request(
        "POST", "/api/enquiries", raw, {**basic(), "Content-Type": "application/json"}
    )
    body = json.loads(data)
    assert status == 400, body
    assert_problem(body)
    assert words in body["detail"], body
    assert Enquiry.objects.count() == 0


def test_a_user_without_a_council_must_name_the_council(web):
    status, body = web.json("POST", "/api/enquiries", readme_curl_body(), basic("admin"))
    assert status == 422
    assert body == {"detail": "Give the council's code, e.g. derby", "field": "council"}
    assert Enquiry.objects.count() == 0
    status, body = web.json(
        "POST", "/api/enquiries", {**readme_curl_body(), "council": "derby"}, basic("admin")
    )
    assert status == 201, body


@pytest.mark.parametrize(
    "value", [1328140800, "1328140800", "2012-02-02T00:00:00", "2012-02-30", "02/02/2012", ""]
)
def test_a_date_is_a_date_as_the_document_declares_it_or_a_422(web, value):
    expected = {"detail": "date_of_birth must be a date as YYYY-MM-DD, e.g. 2012-02-02"}
    body = {**readme_curl_body(), "date_of_birth": value}
    status, answer = web.json("POST", "/api/enquiries", body, basic())
    assert (status, answer) == (422, {**expected, "field": "date_of_birth"})
    assert Enquiry.objects.count() == 0
    query = urlencode({"cohort": "D", "date_of_birth": value, "on": "2024-02-01"})
    status, answer = web.json("GET", f"/api/eligibility?{query}", headers=basic())
    assert (status, answer) == (422, {**expected, "field": "date_of_birth"})


def test_a_body_nested_too_deeply_is_a_400_saying_so(web):
    head = {**basic(), "Content-Type": "application/json"}
    status, head, data = web.request("POST", "/api/enquiries", b"[" * 100_000, head)
    assert (status, json.loads(data)) == (400, {"detail": "The request body is nested too deeply"})


@pytest.mark.parametrize(
    ("cohort", "detail"), [("D" * 9, "8 characters or fewer"), ("D\x00", "NUL")]
)
def test_the_eligibility_check_bounds_the_cohort_as_the_enquiry_does(web, cohort, detail):
    query = urlencode({"cohort": cohort, "date_of_birth": "2012-02-02", "on": "2024-02-01"})
    status, body = web.json("GET", f"/api/eligibility?{query}", headers=basic())
    assert status == 422 and detail in body["detail"], body
    assert_problem(body, "cohort")


# -- a write sent again; HEAD ----------------------------------------------------------------


def test_a_post_sent_again_with_its_idempotency_key_records_once(web):
    key = {**basic(), "Idempotency-Key": "0b1e7c52-5d0f-4c1e-9a57-6f1d1c1a2b3c"}
    status, head, first = web.request("POST", "/api/enquiries", readme_curl_body(), key)
    assert status == 201 and "Idempotent-Replayed" not in head, first
    status, head, again = web.request("POST", "/api/enquiries", readme_curl_body(), key)
    assert status == 201 and head["Idempotent-Replayed"] == "true", again
    assert json.loads(again) == json.loads(first)
    other = {**readme_curl_body(), "family_name": "Other"}
    status, body = web.json("POST", "/api/enquiries", other, key)
    assert status == 422 and body["field"] == "Idempotency-Key", body
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


def test_a_post_sent_again_without_a_key_is_a_409_naming_the_enquiry(web):
    status, first = web.json("POST", "/api/enquiries", readme_curl_body(), basic())
    assert status == 201, first
    status, body = web.json("POST", "/api/enquiries", readme_curl_body(), basic())
    assert status == 409, body
    assert_problem({k: v for k, v in body.items() if k != "child_refs"})
    assert body["child_refs"] == [] and first["enquiry_id"] in body["detail"], body
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the live server shares one connection between its threads on in-memory SQLite "
    "(where every write transaction takes the lock as it begins, so two cannot overlap)",
)
def test_two_retries_at_once_with_the_same_key_record_once(web, monkeypatch):
    """The second waits on the first's key (the unique constraint), then gives its answer."""
    record = services.enquiry_record

    def slow_record(**kwargs):
        enquiry = record(**kwargs)
        time.sleep(0.5)  # the other request arrives while this one's transaction is open
        return enquiry

    monkeypatch.setattr(services, "enquiry_record", slow_record)
    key = {**basic(), "Idempotency-Key": "at-once-1"}
    start = threading.Barrier(2)
    answers = []

    def send():
        start.wait()
        status, head, data = web.request("POST", "/api/enquiries", readme_curl_body(), key)
        answers.append((status, head.get("Idempotent-Replayed"), json.loads(data)))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _, _ in answers) == [201, 201], answers
    assert sorted(str(replayed) for _, replayed, _ in answers) == ["None", "true"], answers
    assert answers[0][2] == answers[1][2]
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the live server shares one connection between its threads on in-memory SQLite "
    "(where every write transaction takes the lock as it begins, so two cannot overlap)",
)
@pytest.mark.parametrize(
    ("second", "words"),
    [({}, "You recorded this enquiry"), ({"why_now": "placement at risk"}, "Already recorded")],
)
def test_two_posts_at_once_without_a_key_record_once(web, monkeypatch, second, words):
    """The same user's checks (the same write sent again, a child already recorded) and the
    write they allow run one at a time: the second request waits for the first to commit,
    then finds its enquiry."""
    record = services.enquiry_record

    def slow_record(**kwargs):
        enquiry = record(**kwargs)
        time.sleep(0.5)  # the other request arrives while this one's transaction is open
        return enquiry

    monkeypatch.setattr(services, "enquiry_record", slow_record)
    bodies = [readme_curl_body(), {**readme_curl_body(), **second}]
    start = threading.Barrier(2)
    answers = []

    def send(body):
        start.wait()
        answers.append(web.json("POST", "/api/enquiries", body, basic()))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in answers) == [201, 409], answers
    refused = next(body for status, body in answers if status == 409)
    assert words in refused["detail"], refused
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the live server shares one connection between its threads on in-memory SQLite "
    "(where every write transaction takes the lock as it begins, so two cannot overlap)",
)
def test_two_users_recording_at_once_are_given_different_ids(web, monkeypatch):
    """Two councils' SPOCs at the same moment: each enquiry is recorded (201), the second
    given the id after the first's, where both were given the same id and one was a 500."""
    record = services.enquiry_record

    def slow_record(**kwargs):
        enquiry = record(**kwargs)
        time.sleep(0.5)  # the other request arrives while this one's transaction is open
        return enquiry

    monkeypatch.setattr(services, "enquiry_record", slow_record)
    sends = [
        (readme_curl_body(), basic("spoc")),
        (
            {**readme_curl_body(), "council": "nottingham", "given_name": "Sam"},
            basic("spoc_nottingham"),
        ),
    ]
    start = threading.Barrier(2)
    answers = []

    def send(body, headers):
        start.wait()
        answers.append(web.json("POST", "/api/enquiries", body, headers))

    threads = [threading.Thread(target=send, args=sent) for sent in sends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in answers) == [201, 201], answers
    ids = sorted(body["enquiry_id"] for _, body in answers)
    assert ids[0] != ids[1] and int(ids[1][-5:]) == int(ids[0][-5:]) + 1, ids
    assert Enquiry.objects.count() == 2


@pytest.mark.parametrize("path", ["/api/enquiries", "/api/referrals?page=2", "/api/openapi.json"])
def test_head_answers_as_get_without_a_body(web, path):
    status, head, data = web.request("GET", path, headers=basic())
    assert status == 200, data[:200]
    status, head_head, body = web.request("HEAD", path, headers=basic())
    assert status == 200 and body == b""
    assert head_head["Content-Type"] == head["Content-Type"]
    assert head_head["Content-Length"] == head["Content-Length"] == str(len(data))


# -- warnings -------------------------------------------------------------------------------

AFTER_THE_PERIOD = {
    "detail": "This enquiry is dated after 31 March 2025, when the contract's referral period "
    "ended: it cannot be accepted as a referral, so it earns no outcome payment, unless a "
    "contract variation extends the period",
    "field": "enquiry_date",
}


def test_an_enquiry_after_the_referral_period_carries_its_page_s_warning(web):
    """Recorded, as on the pages, with the warning its page shows, on its enquiry_date;
    every answer that gives the enquiry gives it, and the document declares it."""
    status, late = web.json(
        "POST", "/api/enquiries", {**readme_curl_body(), "enquiry_date": "2025-04-01"}, basic()
    )
    assert status == 201 and late["warnings"] == [AFTER_THE_PERIOD], late
    status, within = web.json(
        "POST",
        "/api/enquiries",
        {**readme_curl_body(), "given_name": "Blake", "enquiry_date": "2025-03-31"},
        basic(),
    )
    assert status == 201 and within["warnings"] == [], within
    status, one = web.json("GET", f"/api/enquiries/{late['enquiry_id']}", headers=basic())
    assert status == 200 and one == late
    status, listed = web.json("GET", "/api/enquiries", headers=basic())
    warnings = {e["enquiry_id"]: e["warnings"] for e in listed}
    assert warnings == {late["enquiry_id"]: [AFTER_THE_PERIOD], within["enquiry_id"]: []}
    _, spec = web.json("GET", "/api/openapi.json", headers=basic())
    declared = spec["components"]["schemas"]["EnquiryOut"]["properties"]["warnings"]
    assert declared["items"] == {"$ref": "#/components/schemas/Problem"}
