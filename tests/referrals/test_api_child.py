"""An enquiry for a child already recorded, over real HTTP: the API names the children of
the same name and date of birth (409) and takes the child's reference, as the enquiry form
asks which child it is."""

from __future__ import annotations

import json
import re

import pytest

from stars.core.models import AccessLog, IdempotencyKey
from stars.referrals.models import Child, Enquiry
from tests.live_http import Http
from tests.referrals.test_api_http import README, assert_problem, basic, readme_curl_body


@pytest.fixture
def web(live_server, users):
    return Http(live_server)


def first_enquiry(web) -> dict:
    status, body = web.json("POST", "/api/enquiries", readme_curl_body(), basic())
    assert status == 201, body
    return body


def later(**change) -> dict:
    """Another enquiry for the same child (not the same write sent again)."""
    return {**readme_curl_body(), "enquiry_date": "2024-02-05", **change}


def test_a_child_already_recorded_is_a_409_naming_them_and_how_to_go_on(web):
    first = first_enquiry(web)
    status, body = web.json("POST", "/api/enquiries", later(), basic())
    assert status == 409, body
    assert set(body) == {"detail", "field", "child_refs"}, body
    assert body["child_refs"] == [first["child_ref"]] and body["field"] == "child_ref"
    assert first["child_ref"] in body["detail"] and first["enquiry_id"] in body["detail"]
    assert "child_ref" in body["detail"] and "new_child: true" in body["detail"], body
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1
    # naming the child is a read of their record
    assert AccessLog.objects.filter(
        username="spoc", object_type="child", object_id=first["child_ref"]
    ).exists()


def test_the_childs_reference_records_the_enquiry_for_them(web):
    first = first_enquiry(web)
    # case and spaces in the name do not count, as in the form
    body = later(child_ref=first["child_ref"], given_name=" ALEX", family_name="sample ")
    status, second = web.json("POST", "/api/enquiries", body, basic())
    assert status == 201, second
    assert second["child_ref"] == first["child_ref"]
    assert second["enquiry_id"] != first["enquiry_id"]
    assert Enquiry.objects.count() == 2 and Child.objects.count() == 1


def test_the_childs_reference_is_found_with_spaces_around_it_and_in_another_case(web):
    """A reference copied from a letter or a case system in lower case, with a space
    around it, names the same child, as on the governance pages (``child_named``)."""
    first = first_enquiry(web)
    typed = f"  {first['child_ref'].lower()} "
    status, second = web.json("POST", "/api/enquiries", later(child_ref=typed), basic())
    assert status == 201, second
    assert second["child_ref"] == first["child_ref"]
    assert Enquiry.objects.count() == 2 and Child.objects.count() == 1


def test_new_child_true_records_a_different_child_of_the_same_name(web):
    first = first_enquiry(web)
    status, second = web.json("POST", "/api/enquiries", later(new_child=True), basic())
    assert status == 201, second
    assert second["child_ref"] != first["child_ref"]
    assert Child.objects.count() == 2
    status, body = web.json("POST", "/api/enquiries", later(enquiry_date="2024-02-06"), basic())
    assert status == 409 and len(body["child_refs"]) == 2, body


def test_another_councils_child_is_answered_as_a_child_that_does_not_exist(web, referrals):
    theirs = referrals["nottingham"].child  # C-R-NOT, Nottingham's
    ours = referrals["derby"].child
    answers = {}
    for ref in (theirs.child_ref, "C-R-NONE"):
        body = later(child_ref=ref, given_name="Synthetic", family_name="Child")
        body["date_of_birth"] = "2011-05-17"
        status, problem = web.json("POST", "/api/enquiries", body, basic())
        answers[ref] = (status, problem["detail"].replace(ref, "REF"), problem["field"])
    assert (
        answers[theirs.child_ref]
        == answers["C-R-NONE"]
        == (
            422,
            "no child 'REF' in your scope",
            "child_ref",
        )
    )
    # and the alike check never names them: Derby's SPOC sees Derby's child alone
    body = later(given_name="Synthetic", family_name="Child", date_of_birth="2011-05-17")
    status, problem = web.json("POST", "/api/enquiries", body, basic())
    assert status == 409 and problem["child_refs"] == [ours.child_ref], problem
    assert theirs.child_ref not in problem["detail"]
    assert Enquiry.objects.count() == 0


def test_a_restricted_child_is_not_named_but_said_to_exist(web, referrals):
    child = referrals["derby"].child
    Child.objects.filter(pk=child.pk).update(restricted=True)
    body = later(given_name="Synthetic", family_name="Child", date_of_birth="2011-05-17")
    status, problem = web.json("POST", "/api/enquiries", body, basic())
    assert status == 409 and problem["child_refs"] == [], problem
    assert "only administrators" in problem["detail"] and child.child_ref not in problem["detail"]
    status, problem = web.json(
        "POST", "/api/enquiries", {**body, "child_ref": child.child_ref}, basic()
    )
    assert (status, problem) == (
        422,
        {"detail": f"no child {child.child_ref!r} in your scope", "field": "child_ref"},
    )
    status, created = web.json("POST", "/api/enquiries", {**body, "new_child": True}, basic())
    assert status == 201 and created["child_ref"] != child.child_ref, created


def test_a_reference_to_a_child_of_another_name_or_birth_is_refused(web):
    first = first_enquiry(web)
    cases = [
        later(child_ref=first["child_ref"], date_of_birth="2012-02-03"),
        later(child_ref=first["child_ref"], given_name="Sam"),
    ]
    for body in cases:
        status, problem = web.json("POST", "/api/enquiries", body, basic())
        assert status == 422, problem
        assert_problem(problem, "child_ref")
        assert "another name or date of birth" in problem["detail"], problem
    status, problem = web.json(
        "POST", "/api/enquiries", later(child_ref=first["child_ref"], new_child=True), basic()
    )
    assert (status, problem["field"]) == (422, "new_child"), problem
    status, problem = web.json("POST", "/api/enquiries", later(child_ref="x" * 41), basic())
    assert (status, problem["field"]) == (422, "child_ref"), problem
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


def test_an_administrator_is_told_which_council_the_child_is_recorded_for(web, referrals):
    ref = referrals["nottingham"].child.child_ref
    body = later(
        council="derby",
        child_ref=ref,
        given_name="Synthetic",
        family_name="Child",
        date_of_birth="2011-05-17",
    )
    status, problem = web.json("POST", "/api/enquiries", body, basic("admin"))
    assert status == 422 and "Nottingham" in problem["detail"], problem
    assert_problem(problem, "child_ref")


def test_a_409_under_an_idempotency_key_keeps_no_key_and_the_corrected_write_replays(web):
    first = first_enquiry(web)
    key = {**basic(), "Idempotency-Key": "5d0b7a9e-child"}
    status, problem = web.json("POST", "/api/enquiries", later(), key)
    assert status == 409, problem
    assert not IdempotencyKey.objects.exists()
    # the naming is logged although the write's transaction was rolled back
    assert AccessLog.objects.filter(object_type="child", object_id=first["child_ref"]).exists()
    corrected = later(child_ref=first["child_ref"])
    status, head, data = web.request("POST", "/api/enquiries", corrected, key)
    assert status == 201 and "Idempotent-Replayed" not in head, data
    status, head, again = web.request("POST", "/api/enquiries", corrected, key)
    assert status == 201 and head["Idempotent-Replayed"] == "true" and again == data
    assert Enquiry.objects.count() == 2 and Child.objects.count() == 1


def test_the_readme_example_with_a_childs_reference_records_for_that_child(web):
    first = first_enquiry(web)
    bodies = re.findall(r"-X POST \S+/api/enquiries.*?-d '(.*?)'", README.read_text(), re.S)
    example = next(json.loads(b) for b in bodies if "child_ref" in b)
    status, body = web.json(
        "POST", "/api/enquiries", {**example, "child_ref": first["child_ref"]}, basic()
    )
    assert status == 201 and body["child_ref"] == first["child_ref"], body
