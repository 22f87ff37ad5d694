"""Records of processing: the agreements register with its warnings, the DPIA, the notice."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from stars.governance.models import DataSharingAgreement
from stars.governance.processing import agreements
from stars.partnership.models import Council

FORM = {
    "council": "",
    "title": "Derby DSA",
    "parties": "Derby City Council\nProvider",
    "lawful_basis": "public_task",
    "purpose": "The programme",
    "start": "1 9 2020",
    "review": "1 9 2025",
    "end": "31 3 2027",
}


def test_a_warning_names_the_council_once(client, users):
    client.force_login(users["admin"])
    derby = Council.objects.get(code="derby")
    title = "STARS data-sharing agreement: Derby City Council"
    form = {**FORM, "council": derby.pk, "title": title}
    assert client.post(reverse("governance_agreements"), form).status_code == 302
    _, warnings = agreements(dt.date(2025, 8, 1))
    assert (
        "Derby City Council: STARS data-sharing agreement review is due on 1 September 2025"
        in warnings
    )


def test_recording_an_agreement_and_the_warnings(client, users):
    derby = Council.objects.get(code="derby")
    client.force_login(users["admin"])
    page = client.get(reverse("governance_agreements")).content.decode()
    assert "---------" not in page  # Django's empty choice, not words
    assert '<option value="">Select a council</option>' in page
    response = client.post(reverse("governance_agreements"), {**FORM, "council": derby.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    a = DataSharingAgreement.objects.get()
    assert (a.council, a.end, a.recorded_by) == (derby, dt.date(2027, 3, 31), users["admin"])
    _, warnings = agreements(dt.date(2027, 2, 1))
    assert "Derby City Council: Derby DSA lapses on 31 March 2027, in 58 days" in warnings
    assert "Nottingham City Council: no data-sharing agreement in force" in warnings
    _, warnings = agreements(dt.date(2025, 8, 1))
    assert "Derby City Council: Derby DSA review is due on 1 September 2025" in warnings
    with time_machine.travel(dt.datetime(2027, 4, 2, 12, tzinfo=dt.UTC), tick=False):
        client.force_login(users["admin"])
        body = client.get(reverse("governance_home")).content.decode()
    assert "Derby DSA lapsed on 31 March 2027" in body
    body = client.get(reverse("governance_agreements")).content.decode()
    assert "Derby DSA" in body and 'data-testid="dpia"' in body


def test_dates_out_of_order_are_refused_on_their_field(client, users):
    client.force_login(users["admin"])
    derby = Council.objects.get(code="derby")
    body = client.post(
        reverse("governance_agreements"), {**FORM, "council": derby.pk, "end": "1 1 2020"}
    ).content.decode()
    assert "End date must be on or after the start date" in body
    assert not DataSharingAgreement.objects.exists()


def test_the_privacy_notice_is_open_to_every_role_and_tells_the_schedule(client, users):
    client.force_login(users["key_worker"])
    body = client.get(reverse("privacy_notice")).content.decode()
    assert "Referral and case: 25 years from the child&#x27;s date of birth" in body
    assert "privacy notice" in client.get(reverse("home")).content.decode()  # linked there


def test_the_warning_days_come_from_the_configuration(client, users, settings, tmp_path):
    derby = Council.objects.get(code="derby")
    DataSharingAgreement.objects.create(
        council=derby,
        title="Derby DSA",
        parties="Derby",
        lawful_basis="public_task",
        purpose="The programme",
        start=dt.date(2020, 9, 1),
        review=dt.date(2027, 3, 1),
        end=dt.date(2027, 3, 31),
    )
    day = dt.date(2026, 12, 1)  # 120 days before the end
    assert not any("Derby DSA" in w for w in agreements(day)[1])  # 60 days by default
    own = tmp_path / "privacy.toml"
    own.write_text(
        settings.STARS_PRIVACY_CONFIG.read_text().replace("warn_days = 60", "warn_days = 150")
    )
    settings.STARS_PRIVACY_CONFIG = own
    assert (
        "Derby City Council: Derby DSA lapses on 31 March 2027, in 120 days" in agreements(day)[1]
    )
    client.force_login(users["admin"])
    body = client.get(reverse("governance_agreements")).content.decode()
    assert "Information governance page 150 days before" in body


def test_the_register_and_its_warnings_are_the_programme_worked_ins(client, users):
    from stars.partnership.services import contract_load
    from tests.conftest import CONTRACT

    text = CONTRACT.read_text().replace('code = "dn2-stars"', 'code = "riverside"')
    for old, new in (("derby", "thornbury"), ("Derby City", "Thornbury Borough")):
        text = text.replace(old, new)
    contract_load(text=text, source="riverside.toml")
    users["admin"].programmes.add(*users["admin"].programmes.model.objects.all())
    client.force_login(users["admin"])
    page = client.get(reverse("governance_agreements"), {"programme": "dn2-stars"})
    text = page.content.decode()
    assert "Derby City Council: no data-sharing agreement in force" in text
    assert "Thornbury" not in text
    page = client.get(reverse("governance_agreements"), {"programme": "riverside"})
    text = page.content.decode()
    assert "Thornbury Borough Council: no data-sharing agreement in force" in text
    assert "Derby City Council" not in text
