"""A programme's case forms speak its contract's words, not the demo's: the interventions a
case may record and who chairs progress meetings come from the contract
(``[[intervention]]``, ``progress_meeting_chair``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.cases.models import Intervention
from stars.partnership.services import contract_load
from tests.conftest import CONTRACT

TEXT = CONTRACT.read_text(encoding="utf-8")
# DN2's terms with its interventions and its meetings' chair taken out: another programme's
WITHOUT = (
    TEXT[: TEXT.index("\n# The interventions a case may record")]
    + "\n"
    + TEXT[TEXT.index("\n[investment]\n") + 1 :]
).replace('progress_meeting_chair = "the therapist"   # the meeting form says who chairs\n', "")
OWN = WITHOUT + (
    '\n[[intervention]]\ncode = "mst"\nname = "Multisystemic Therapy"\n'
    '\n[[intervention]]\ncode = "fft"\nname = "Functional Family Therapy"\n'
)
DEMO_WORDS = ("Team Parenting", "Triple P", "ATTUNE")


def _get(client, name: str) -> str:
    response = client.get(reverse(name, args=["R-DER"]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_intervention_form_lists_the_contracts_own_interventions(client, users, case):
    """Every programme's form listed Team Parenting, Triple P and ATTUNE."""
    client.force_login(users["key_worker"])
    dn2 = _get(client, "case_intervention")
    assert all(words in dn2 for words in DEMO_WORDS)
    contract_load(text=OWN, source="other.toml")
    html = _get(client, "case_intervention")
    assert "Multisystemic Therapy" in html and "Functional Family Therapy" in html
    assert not any(words in html for words in DEMO_WORDS)
    # one the contract does not list is refused; its own is recorded, with its label
    data = {"kind": "team_parenting", "start_date": "2022-02-01"}
    response = client.post(reverse("case_intervention", args=["R-DER"]), data)
    assert response.status_code == 200 and "Select the intervention" in response.content.decode()
    data["kind"] = "mst"
    assert client.post(reverse("case_intervention", args=["R-DER"]), data).status_code == 302
    assert "Multisystemic Therapy" in _get(client, "case_detail")
    assert "Intervention: Multisystemic Therapy" in _get(client, "case_chronology")


def test_without_a_list_the_form_offers_generic_interventions(client, users, case):
    client.force_login(users["key_worker"])
    contract_load(text=WITHOUT, source="other.toml")
    html = _get(client, "case_intervention")
    assert "Parenting programme" in html and "Support group" in html
    assert not any(words in html for words in DEMO_WORDS)


def test_a_kind_the_contract_no_longer_lists_keeps_its_label(client, users, case):
    Intervention.objects.create(referral=case, kind="triple_p", start_date=dt.date(2022, 2, 1))
    contract_load(text=OWN, source="other.toml")
    client.force_login(users["key_worker"])
    assert "Safer Stronger Families with Triple P" in _get(client, "case_detail")
    assert "Intervention: Safer Stronger Families with Triple P" in _get(client, "case_chronology")


def test_the_meeting_form_names_a_chair_only_where_the_contract_does(client, users, case):
    """Every programme's meeting form said "the therapist chairs"."""
    client.force_login(users["key_worker"])
    assert "Progress meetings are due every 6 weeks; the therapist chairs." in _get(
        client, "case_meeting"
    )
    contract_load(text=WITHOUT, source="other.toml")
    html = _get(client, "case_meeting")
    assert "Progress meetings are due every 6 weeks." in html and "therapist chairs" not in html
    chaired = WITHOUT.replace(
        "[programme]\n", '[programme]\nprogress_meeting_chair = "the key worker"\n'
    )
    contract_load(text=chaired, source="other.toml")
    assert "Progress meetings are due every 6 weeks; the key worker chairs." in _get(
        client, "case_meeting"
    )
