"""Subject access: everything held about one child, as a PDF and JSON in one download."""

from __future__ import annotations

import io
import json
import zipfile

from django.urls import reverse

from stars.cases.models import ProgressMeeting, TeamMember
from stars.core.models import AccessLog
from stars.referrals.models import Child, Referral
from stars.sufficiency.models import ChildLink, SufficiencyReturn


def _zip(response) -> dict[str, bytes]:
    assert response["Content-Type"] == "application/zip", response.content[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        return {n.rsplit(".", 1)[1]: z.read(n) for n in z.namelist()}


def test_everything_held_about_a_child_in_one_download(client, held, users):
    r = Referral.objects.get(referral_id="R-DER")
    other = Child.objects.get(child_ref="C-E-OLD")  # Ada Example, another child
    TeamMember.objects.create(
        referral=r, role="foster_carer", name="Pat Carer", added_on=r.referral_date
    )
    ProgressMeeting.objects.create(
        referral=r, date=r.referral_date, notes="Met Ada Example at school"
    )
    derby = r.council
    SufficiencyReturn.objects.create(
        council=derby,
        collection_year=2023,
        kind="header",
        file_name="header.csv",
        text="CHILD,SEX,DOB\nX1,1,01/01/2011\nX2,2,02/02/2012\n",
        rows=2,
        sha256="0" * 64,
    )
    ChildLink.objects.create(referral=r, council_child_id="X1")
    client.force_login(users["admin"])
    client.get(reverse("referral_detail", kwargs={"referral_id": "R-DER"}))  # a read to find

    files = _zip(client.post(reverse("governance_subject_access"), {"child_ref": "C-R-DER"}))
    data = json.loads(files["json"])
    assert (
        data["subject"]["child_ref"] == "C-R-DER" and data["subject"]["given_name"] == "Synthetic"
    )
    assert [x["referral_id"] for x in data["records"]["Referrals"]] == ["R-DER"]
    assert data["records"]["Team around the child"][0]["name"] == "Pat Carer"
    assert [d["row"]["CHILD"] for d in data["documents"]["SSDA903 rows"]] == ["X1"]
    assert any(h["record"].startswith("referral") for h in data["history"])
    assert any(e["record"] == "referral R-DER" for e in data["access_log"])
    parties = {(t["name"], t["who"]) for t in data["third_parties"]}
    assert ("Pat Carer", "Foster carer") in parties
    assert (f"{other.given_name} {other.family_name}", "Another child (C-E-OLD)") in parties
    assert files["pdf"].startswith(b"%PDF")
    assert AccessLog.objects.filter(
        username="admin", action="subject_access", object_id="C-R-DER"
    ).exists()


def test_an_unknown_reference_is_an_error_on_the_field(client, held, users):
    client.force_login(users["admin"])
    response = client.post(reverse("governance_subject_access"), {"child_ref": "C-NOPE"})
    assert response.status_code == 200
    assert "No child has the reference C-NOPE" in response.content.decode()
    client.force_login(users["provider_manager"])
    assert client.get(reverse("governance_subject_access")).status_code == 403


def test_the_council_s_returns_are_searched_as_the_import_reads_them(client, held, users):
    # headings in lower case after a byte-order mark, a padded cell, a blank line: the
    # import takes such a file, so the child's rows in it belong in the response
    r = Referral.objects.get(referral_id="R-DER")
    SufficiencyReturn.objects.create(
        council=r.council,
        collection_year=2023,
        kind="episodes",
        file_name="episodes.csv",
        text="\ufeffchild,decom,rne\r\n X1 ,01/05/2022,S\r\nX2,02/05/2022,S\r\n\r\n"
        "X1,03/06/2022,P\r\n",
        rows=3,
        sha256="0" * 64,
    )
    ChildLink.objects.create(referral=r, council_child_id="X1")
    client.force_login(users["admin"])

    files = _zip(client.post(reverse("governance_subject_access"), {"child_ref": "C-R-DER"}))
    rows = json.loads(files["json"])["documents"]["SSDA903 rows"]
    assert [(d["file"], d["line"], d["row"]["DECOM"]) for d in rows] == [
        ("episodes.csv", 2, "01/05/2022"),
        ("episodes.csv", 5, "03/06/2022"),
    ]
    assert {d["row"]["CHILD"] for d in rows} == {"X1"}
