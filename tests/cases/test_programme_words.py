"""A programme's case forms speak its contract's words, not the demo's: the interventions a
case may record, who chairs progress meetings and how often they are due come from the
contract (``[[intervention]]``, ``progress_meeting_chair``, ``progress_meeting_every_weeks``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.cases import record
from stars.cases.models import Intervention
from stars.cases.notices import notify_due
from stars.cases.selectors import caseload_overdue, due_on_caseload
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


def test_progress_meetings_are_due_as_often_as_the_contract_says(client, users, case):
    """Every programme's meetings were due every 6 weeks: one whose contract wants them every
    4 weeks sees a meeting overdue 4 weeks after the last, on every page that says so."""
    record.meeting_record(referral=case, on=dt.date(2022, 2, 1), attendees=["therapist"])
    kw = users["key_worker"]
    client.force_login(kw)
    on = dt.date(2022, 3, 5)  # 4 weeks and 4 days after the meeting; 6 weeks is 15 March
    assert caseload_overdue(kw, on) == 0 and not due_on_caseload(kw, on)
    every4 = TEXT.replace("[programme]\n", "[programme]\nprogress_meeting_every_weeks = 4\n")
    contract_load(text=every4, source="every4.toml")
    assert "Progress meetings are due every 4 weeks; the therapist chairs." in _get(
        client, "case_meeting"
    )
    caseload = client.get(reverse("case_caseload")).content.decode()
    assert "A progress meeting is due every 4 weeks," in caseload
    assert "1 Mar 2022" in caseload and "15 Mar 2022" not in caseload
    assert caseload_overdue(kw, on) == 1
    (item,) = due_on_caseload(kw, on)
    assert (item.due.what, item.due.due) == ("Progress meeting", dt.date(2022, 3, 1))
    assert item.due.rule == "every 4 weeks from the last meeting"
    assert notify_due(on)["case_overdue"] == 1
