"""403, 404 and 500 are GOV.UK pages, never Django's debug output (DEBUG is off unless
STARS_DEBUG=1; tests/core/test_served.py checks that default on a served demo)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path, reverse

from stars.web.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), *project_urls]


@pytest.fixture
def with_boom(settings):
    settings.ROOT_URLCONF = __name__


def _govuk(body: str) -> None:
    assert 'class="govuk-template' in body and "govuk-frontend.min.css" in body
    assert "Traceback" not in body and "RuntimeError" not in body


def test_a_server_error_is_the_govuk_page(with_boom, users):
    client = Client(raise_request_exception=False)
    client.force_login(users["spoc"])
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    _govuk(body)
    assert "Sorry, there is a problem with the service" in body


def test_not_found_and_forbidden_are_govuk_pages(client, users):
    client.force_login(users["investor"])
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    _govuk(missing.content.decode())
    refused = client.get(reverse("referral_list"))
    assert refused.status_code == 403
    _govuk(refused.content.decode())
    assert "You do not have access to this page" in refused.content.decode()


def test_a_form_posted_without_its_security_token_is_a_govuk_page(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "spoc", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    _govuk(body)
    assert "The form has expired" in body


def test_a_bad_request_is_a_govuk_page(client):
    response = client.get("/sign-in/", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 400
    _govuk(response.content.decode())
