"""Ids may hold "/" (docs/tracker-format.md: letters, digits and - _ . /), as a council's
tracker often numbers its records (`TS/R023`): every page links to and opens such a record,
where before the home page of a provider manager with such a case to allocate was a server
error (an address part cannot hold "/")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stars.domain.references import REFERRAL, Reference, reference_parse
from tests.conftest import make_referral

SLASHED = "TS/R023"


@pytest.mark.django_db
def test_a_referral_id_with_a_slash_is_linked_and_opened_on_every_page(client, users):
    make_referral(SLASHED, "derby")  # live, no key worker: on the manager's list to allocate
    client.force_login(users["provider_manager"])
    home = client.get("/")
    assert home.status_code == 200
    allocate = reverse("case_allocate", args=[SLASHED])
    assert "/" not in allocate.removeprefix("/cases/").removesuffix("/allocate/")
    assert f'href="{allocate}"' in home.content.decode()
    for name in ("referral_detail", "case_detail", "case_chronology", "case_allocate"):
        page = client.get(reverse(name, args=[SLASHED]))
        assert page.status_code == 200, name
        assert SLASHED in page.content.decode(), name


def test_a_pasted_link_to_a_record_with_a_slash_in_its_id_finds_it():
    path = "/cases/TS~R023/chronology/"
    assert reference_parse(f"https://stars.example{path}") == Reference(REFERRAL, SLASHED)
