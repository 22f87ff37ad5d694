"""A new service with no contract loaded: every page and API operation a user of any role can
open answers the home page's warning with 409 (the API: a Problem), never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from stars.core.roles import COUNCIL_ROLES, Role
from stars.partnership.models import Council
from stars.partnership.services import user_create
from tests.conftest import PASSWORD

WARNING = "No contract is loaded yet"


def _addresses(patterns, prefix: str = "") -> list[str]:
    """Every address of the URLconf that takes no parameter (the admin's own left out)."""
    found = []
    for p in patterns:
        route = str(p.pattern)
        if "<" in route or route.startswith("^") or route.startswith("admin/"):
            continue
        if isinstance(p, URLResolver):
            found += _addresses(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            found.append("/" + prefix + route)
    return found


@pytest.fixture
def signed_in(db):
    Council.objects.create(code="derby", name="Derby")

    def client_of(role: str) -> Client:
        council = "derby" if role in COUNCIL_ROLES else None
        client = Client()
        client.force_login(
            user_create(username=f"u-{role}", role=role, council=council, password=PASSWORD)
        )
        return client

    return client_of


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_page_of_each_role_answers_without_a_contract(signed_in, role):
    client = signed_in(role)
    errors = []
    for address in _addresses(get_resolver().url_patterns):
        if address in ("/sign-out/", "/healthz"):  # healthz: 503 until set up, by design
            continue
        response = client.get(address)
        if response.status_code >= 500:
            errors.append((address, response.status_code))
    assert errors == []


def test_referrals_page_shows_the_warning(signed_in):
    response = signed_in(Role.PROVIDER_MANAGER.value).get("/referrals/")
    assert response.status_code == 409  # docs/decisions/0016-no-contract-answers-409.md
    assert WARNING in response.content.decode()


def test_the_api_answers_a_problem(signed_in):
    response = signed_in(Role.SPOC.value).get(
        "/api/eligibility", {"cohort": "A", "date_of_birth": "2012-02-02", "on": "2026-01-05"}
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith(WARNING)
