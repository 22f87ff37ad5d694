"""A child's reference typed by an administrator on the governance pages (subject access,
restriction, correction) is found in whatever case it is typed: a reference copied from a letter as
"c-r-der" answered "No child has the reference", read as nothing held about the child."""

from __future__ import annotations

import io
import json
import zipfile

from django.urls import reverse

from stars.referrals.models import Child


def test_a_subject_access_request_finds_the_child_in_any_case(client, held, users):
    client.force_login(users["admin"])
    response = client.post(reverse("governance_subject_access"), {"child_ref": " c-r-der "})
    assert response["Content-Type"] == "application/zip", response.content[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        data = json.loads(next(z.read(n) for n in z.namelist() if n.endswith(".json")))
    assert data["subject"]["child_ref"] == "C-R-DER"


def test_a_restriction_finds_the_child_in_any_case(client, users, referrals):
    client.force_login(users["admin"])
    client.post(
        reverse("governance_restrict"),
        {"child_ref": "c-r-der", "restricted": "yes", "reason": "The parent asked"},
    )
    assert Child.objects.get(child_ref="C-R-DER").restricted


def test_references_told_apart_by_case_alone_must_be_typed_exactly(client, held, users):
    child = Child.objects.get(child_ref="C-R-DER")
    Child.objects.create(
        child_ref="c-r-der", council=child.council, date_of_birth=child.date_of_birth
    )
    client.force_login(users["admin"])
    response = client.post(reverse("governance_subject_access"), {"child_ref": "C-r-Der"})
    assert "No child has the reference C-r-Der" in response.content.decode()
    response = client.post(reverse("governance_subject_access"), {"child_ref": "c-r-der"})
    assert response["Content-Type"] == "application/zip"


def test_a_correction_finds_the_child_in_any_case(client, users, referrals):
    client.force_login(users["admin"])
    form = {"field": "child.given_name", "record": "c-r-der", "value": "Ada", "reason": "typo"}
    assert client.post(reverse("governance_correct"), form).status_code == 302
    assert Child.objects.get(child_ref="C-R-DER").given_name == "Ada"
