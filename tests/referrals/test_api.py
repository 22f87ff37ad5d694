"""The API: same permissions and scope as the pages, HTTP Basic for systems."""

from __future__ import annotations

import json

from stars.core.api import basic_header
from tests.conftest import PASSWORD, make_referral


def post(client, path, body, user):
    return client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_header(user, PASSWORD),
    )


def get(client, path, user):
    return client.get(path, HTTP_AUTHORIZATION=basic_header(user, PASSWORD))


BODY = {
    "cohort": "D",
    "given_name": "Alex",
    "family_name": "Sample",
    "date_of_birth": "2012-02-02",
    "enquiry_date": "2024-02-01",
}


def test_a_council_system_sends_an_enquiry_with_basic_auth(client, users):
    response = post(client, "/api/enquiries", BODY, "spoc")
    assert response.status_code == 201, response.content
    eid = response.json()["enquiry_id"]
    assert response.json()["council"] == "derby"
    assert get(client, f"/api/enquiries/{eid}", "spoc").status_code == 200
    assert get(client, f"/api/enquiries/{eid}", "spoc_nottingham").status_code == 404
    assert [e["enquiry_id"] for e in get(client, "/api/enquiries", "spoc").json()] == [eid]
    assert get(client, "/api/enquiries", "spoc_nottingham").json() == []


def test_ineligible_enquiry_is_a_422_naming_the_field(client, users):
    response = post(
        client, "/api/enquiries", {**BODY, "cohort": "A", "date_of_birth": "2018-01-01"}, "spoc"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "date_of_birth"
    assert response.json()["detail"].startswith("Not eligible: "), response.json()


def test_a_refusal_reads_as_a_sentence_as_the_form_shows_it(client, users):
    """The rules write their refusals as sentences, so a council's system reads the words
    the SPOC's form shows: "Select one of ...", not "select one of ..."."""
    response = post(client, "/api/enquiries", {**BODY, "cohort": "Z"}, "spoc")
    assert response.status_code == 422
    assert response.json()["field"] == "cohort"
    assert response.json()["detail"].startswith("Select one of "), response.json()


def test_roles_without_the_page_are_refused(client, users, referrals):
    assert post(client, "/api/enquiries", BODY, "investor").status_code == 403
    assert get(client, "/api/referrals", "investor").status_code == 403
    assert get(client, "/api/referrals", "evaluator").status_code == 403
    assert get(client, "/api/referrals/R-NOT", "spoc").status_code == 404
    assert get(client, "/api/referrals/R-DER", "spoc").json()["council"] == "derby"
    assert client.get("/api/referrals").status_code == 401
    assert (
        client.get("/api/referrals", HTTP_AUTHORIZATION=basic_header("spoc", "bad")).status_code
        == 401
    )


def test_openapi_document_lists_the_operations(client, users):
    client.force_login(users["admin"])
    spec = client.get("/api/openapi.json").json()
    assert {"/api/enquiries", "/api/referrals", "/api/eligibility"} <= set(spec["paths"])


def test_a_record_whose_id_holds_a_slash_is_read_by_the_address_form_of_its_id(client, users):
    """TS/R023 is written TS~R023 in an address, on the API as on its page."""
    make_referral("TS/R023", "derby")
    got = get(client, "/api/referrals/TS~R023", "spoc")
    assert got.status_code == 200 and got.json()["referral_id"] == "TS/R023"
