"""A write sent again (no answer seen): the `Idempotency-Key` header, and an enquiry resent
without one; HEAD on the API's GET operations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from stars.core.api import basic_header
from stars.core.models import AccessLog, IdempotencyKey
from stars.referrals.models import Child, Enquiry
from tests.conftest import PASSWORD
from tests.referrals.test_api import BODY  # the enquiry the API's tests send

NOW = dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)


def post(client, body, user="spoc", key=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": basic_header(user, PASSWORD)}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    data = raw if raw is not None else json.dumps(body)
    return client.post("/api/enquiries", data, content_type="application/json", **headers)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# -- with an Idempotency-Key ----------------------------------------------------------------


def test_a_retry_with_the_same_key_is_answered_as_the_first_time_and_records_nothing(
    client, users, clock
):
    first = post(client, BODY, key="2f6c1a4e-retry-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    # the same body, its keys in another order and spaced otherwise, as a client may re-send
    raw = json.dumps(dict(reversed(list(BODY.items()))), indent=2)
    again = post(client, None, key="2f6c1a4e-retry-1", raw=raw)
    assert again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1
    # giving the child's record again is a read of it: in the access log
    assert AccessLog.objects.filter(
        object_type="enquiry", object_id=first.json()["enquiry_id"], detail__contains="again"
    ).exists()


def test_the_same_key_with_another_body_is_refused_naming_the_key(client, users, clock):
    first = post(client, BODY, key="k-1")
    assert first.status_code == 201
    other = post(client, {**BODY, "given_name": "Sam"}, key="k-1")
    assert other.status_code == 422
    body = other.json()
    assert body["field"] == "Idempotency-Key"
    assert first.json()["enquiry_id"] in body["detail"] and "new key" in body["detail"], body
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


def test_keys_are_each_users_own(client, users, clock):
    first = post(client, BODY, key="shared")
    assert first.status_code == 201
    same_child = {**BODY, "council": "derby", "child_ref": first.json()["child_ref"]}
    answer = post(client, same_child, user="admin", key="shared")
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Enquiry.objects.count() == 2


def test_a_refused_write_is_not_remembered_so_it_can_be_corrected_under_the_same_key(
    client, users, clock
):
    refused = post(client, {**BODY, "given_name": "  "}, key="k-2")
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()
    answer = post(client, BODY, key="k-2")
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Enquiry.objects.count() == 1


def test_a_key_is_kept_24_hours(client, users, clock):
    first = post(client, BODY, key="k-3")
    clock.shift(dt.timedelta(hours=23, minutes=59))
    again = post(client, BODY, key="k-3")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    clock.shift(dt.timedelta(minutes=2))
    later = post(client, {**BODY, "child_ref": first.json()["child_ref"]}, key="k-3")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert later.json()["enquiry_id"] != first.json()["enquiry_id"]
    assert IdempotencyKey.objects.count() == 1  # the expired one was removed


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "caf\u00e9"])
def test_a_key_that_is_not_a_key_is_a_422_naming_the_header(client, users, key):
    headers = {"HTTP_AUTHORIZATION": basic_header("spoc", PASSWORD), "HTTP_IDEMPOTENCY_KEY": key}
    answer = client.post(
        "/api/enquiries", json.dumps(BODY), content_type="application/json", **headers
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == "Idempotency-Key"
    assert "visible ASCII" in answer.json()["detail"]
    assert Enquiry.objects.count() == 0


# -- without a key: an enquiry resent -------------------------------------------------------


def test_an_identical_enquiry_resent_within_minutes_is_a_409_naming_the_first(client, users, clock):
    first = post(client, BODY)
    assert first.status_code == 201
    eid = first.json()["enquiry_id"]
    clock.shift(dt.timedelta(minutes=3))
    # the same child by the form's rule: case and spaces in the name do not count
    again = post(client, {**BODY, "given_name": "ALEX ", "family_name": "sam ple"})
    assert again.status_code == 409, again.content
    body = again.json()
    assert set(body) <= {"detail", "field", "child_refs"} and not body.get("child_refs")
    assert eid in body["detail"] and "3 minutes ago" in body["detail"], body
    assert "Idempotency-Key" in body["detail"]
    assert Enquiry.objects.count() == 1 and Child.objects.count() == 1


def test_an_enquiry_not_identical_or_not_recent_or_by_someone_else_is_recorded(
    client, users, clock
):
    first = post(client, BODY)
    assert first.status_code == 201
    same_child = {**BODY, "child_ref": first.json()["child_ref"]}
    assert post(client, {**same_child, "why_now": "placement at risk"}).status_code == 201
    assert post(client, {**same_child, "council": "derby"}, user="admin").status_code == 201
    clock.shift(dt.timedelta(minutes=11))
    assert post(client, same_child).status_code == 201
    assert Enquiry.objects.count() == 4


def test_with_a_key_the_client_says_which_writes_are_new(client, users, clock):
    first = post(client, BODY, key="one")
    assert first.status_code == 201
    answer = post(client, {**BODY, "child_ref": first.json()["child_ref"]}, key="two")
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Enquiry.objects.count() == 2


# -- the document and HEAD -------------------------------------------------------------------


def test_the_document_declares_the_key_the_replay_and_the_409(client, users):
    spec = client.get("/api/openapi.json", HTTP_AUTHORIZATION=basic_header("spoc", PASSWORD))
    spec = spec.json()
    op = spec["paths"]["/api/enquiries"]["post"]
    header = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
    assert header and header[0]["in"] == "header" and not header[0].get("required"), header
    assert "Idempotent-Replayed" in op["responses"]["201"]["headers"]
    conflict = op["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert conflict == "#/components/schemas/ChildrenAlike"
    fields = spec["components"]["schemas"]["ChildrenAlike"]["properties"]
    assert set(fields) == {"detail", "field", "child_refs"}  # a Problem, and who is alike
    enquiry = spec["components"]["schemas"]["EnquiryIn"]["properties"]
    assert enquiry["child_ref"]["anyOf"][0]["maxLength"] == 40 and "new_child" in enquiry
    assert all("head" not in ops for ops in spec["paths"].values())
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and "stars_core_api_get_enquiry" in ids


@pytest.mark.parametrize(
    "path",
    [
        "/api/enquiries",
        "/api/referrals/R-DER",
        "/api/eligibility?cohort=D&date_of_birth=2012-02-02&on=2024-02-01",
    ],
)
def test_head_on_a_get_operation_answers_as_get_without_the_body(client, users, referrals, path):
    auth = {"HTTP_AUTHORIZATION": basic_header("spoc", PASSWORD)}
    got = client.get(path, **auth)
    head = client.head(path, **auth)
    assert head.status_code == got.status_code != 405, head.content
    assert head["Content-Type"] == got["Content-Type"]
    assert head["Content-Type"].startswith("application/json")
    assert head.content == b""
