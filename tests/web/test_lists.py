"""Search across enquiries, referrals and cases within the user's scope (every search in the
access log), and the lists' filters, sorts and pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from stars.core.models import AccessLog
from stars.partnership.models import Council
from stars.referrals import services
from stars.referrals.models import Child, Enquiry, Referral
from stars.referrals.selectors import _search_q, enquiries_visible, referrals_visible
from tests.conftest import make_referral

D = dt.date


def get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def search(client, user, text):
    """A search as the page sends it: posted, so what is typed is in no address."""
    client.force_login(user)
    response = client.post(reverse("search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def named(referrals):
    Child.objects.filter(referrals__referral_id="R-DER").update(
        given_name="Sam", family_name="Elmsworth"
    )
    Child.objects.filter(referrals__referral_id="R-NOT").update(
        given_name="Sam", family_name="Elmstead"
    )
    e = services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="Samira",
        family_name="Elm",
        date_of_birth=D(2010, 6, 1),
        enquiry_date=D(2023, 2, 1),
    )
    return e


@pytest.mark.django_db
def test_search_finds_by_name_reference_or_id_within_scope_and_is_logged(client, users, named):
    html = search(client, users["spoc"], "sam elm")
    assert "R-DER" in html and "Sam Elmsworth" in html and named.enquiry_id in html
    assert "R-NOT" not in html  # Nottingham's: another council
    assert AccessLog.objects.filter(username="spoc", action="search", detail__contains="sam elm")
    listed = set(
        AccessLog.objects.filter(username="spoc", detail="search").values_list(
            "object_id", flat=True
        )
    )
    assert listed == {"R-DER", named.enquiry_id}
    manager = search(client, users["provider_manager"], "C-R-NOT")
    assert "R-NOT" in manager and "R-DER" not in manager
    assert "R-DER" in search(client, users["admin"], "r-der")


@pytest.mark.django_db
def test_a_name_searched_family_name_first_with_a_comma_is_found(client, users, named):
    """ "Elmsworth, Sam", as case records and lists write a child's name, found nothing."""
    for typed in ("Elmsworth, Sam", "elmsworth,sam", "Elmsworth , Sam"):
        html = search(client, users["spoc"], typed)
        assert "R-DER" in html and "Sam Elmsworth" in html, typed


@pytest.mark.django_db
def test_a_search_is_posted_with_its_csrf_token_and_a_get_searches_nothing(users, named):
    """What is typed (often a child's name) is posted, from the search page and the home
    page's box alike, so it is in no address; a GET's query (an old link) searches nothing,
    logs nothing and is not shown back."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["spoc"])
    for url in (reverse("home"), reverse("search")):
        assert 'method="post" action="/search/"' in client.get(url).content.decode(), url
    got = client.get(reverse("search"), {"q": "sam elm"})
    html = got.content.decode()
    assert got.status_code == 200 and "R-DER" not in html and "sam elm" not in html
    assert client.post(reverse("search"), {"q": "sam elm"}).status_code == 403  # no token
    assert not AccessLog.objects.filter(action="search").exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    found = client.post(reverse("search"), {"q": "sam elm", "csrfmiddlewaretoken": token})
    results = found.content.decode()
    assert "R-DER" in results and "<title>Search – STARS</title>" in results  # no name
    assert AccessLog.objects.filter(action="search", detail__contains="sam elm").count() == 1


@pytest.mark.django_db
def test_a_key_worker_searches_only_their_caseload_and_no_enquiries(client, users, named):
    html = search(client, users["key_worker"], "Sam")
    assert "R-DER" in html and "R-NOT" not in html
    assert named.enquiry_id not in html and 'data-testid="enquiry-results"' not in html
    assert reverse("case_detail", args=["R-DER"]) in html


@pytest.mark.django_db
def test_an_empty_search_shows_and_logs_nothing(client, users, named):
    html = search(client, users["spoc"], "   ")
    assert "R-DER" not in html
    assert not AccessLog.objects.filter(username="spoc", action="search").exists()
    # posted with nothing in it, the page says what to enter, as every form does
    assert "<title>Error: Search" in html and 'href="#q"' in html
    assert "Enter a name, a child reference or an id to search for" in html
    assert search(client, users["spoc"], "").count("govuk-error-message") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
@pytest.mark.django_db
def test_a_search_on_postgresql_looks_names_and_ids_up_in_trigram_indexes(users, named):
    """A search of a large programme does not read every record and its child: each kind
    of match (id, child reference, name) is a lookup in its trigram index."""
    with connection.cursor() as cursor:  # the test's tables are tiny: make a scan dearer
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    for model, id_field, qs in (
        (Enquiry, "enquiry_id", enquiries_visible(users["spoc"])),
        (Referral, "referral_id", referrals_visible(users["spoc"])),
    ):
        plan = qs.filter(_search_q(model, "sam elm", id_field)).explain()
        for index in ("child_given_name", "child_family_name", "child_child_ref", id_field):
            assert f"_{index}_trgm" in plan, plan


@pytest.mark.django_db
def test_search_is_refused_to_aggregate_roles(client, users):
    client.force_login(users["investor"])
    assert client.post(reverse("search"), {"q": "Sam"}).status_code == 403


@pytest.mark.django_db
def test_the_referral_list_is_newest_first_filters_and_shows_names(client, users, referrals):
    Referral.objects.filter(referral_id="R-NOT").update(referral_date=D(2023, 5, 1))
    make_referral("R-OLD", "derby", cohort="A")
    html = get(client, users["provider_manager"], reverse("referral_list"))
    assert html.index("R-NOT") < html.index("R-DER")  # newest first
    assert "Synthetic Child" in html
    oldest = get(client, users["provider_manager"], reverse("referral_list"), sort="oldest")
    assert oldest.index("R-DER") < oldest.index("R-NOT")
    derby_a = get(
        client, users["provider_manager"], reverse("referral_list"), council="derby", cohort="A"
    )
    assert "R-OLD" in derby_a and "R-DER" not in derby_a and "R-NOT" not in derby_a
    # a value that is not an option is ignored, never an error
    assert "R-NOT" in get(
        client, users["provider_manager"], reverse("referral_list"), council="nowhere"
    )


@pytest.mark.django_db
def test_the_caseload_filters_by_key_worker_cohort_status_and_what_is_due(client, users, referrals):
    make_referral("R-A", "derby", cohort="A")
    make_referral("R-GONE", "derby", status="graduated", end=D(2023, 1, 1))
    url = reverse("case_caseload")
    pm = users["provider_manager"]
    everyone = get(client, pm, url)
    assert all(r in everyone for r in ("R-DER", "R-NOT", "R-A")) and "R-GONE" not in everyone
    mine = get(client, pm, url, key_worker=str(users["key_worker"].pk))
    assert "R-DER" in mine and "R-NOT" not in mine
    nobody = get(client, pm, url, key_worker="none")
    assert "R-DER" not in nobody and "R-NOT" in nobody
    assert "R-DER" not in get(client, pm, url, cohort="A")
    closed = get(client, pm, url, status="graduated")
    assert "R-GONE" in closed and "R-DER" not in closed
    overdue = get(client, pm, url, due="overdue")  # nothing recorded since January 2022
    assert "R-DER" in overdue
    assert "R-DER" not in get(client, pm, url, due="due_this_week")
    kw = get(client, users["key_worker"], url)
    assert "R-DER" in kw and "R-NOT" not in kw and 'id="filter-key_worker"' not in kw


@pytest.mark.django_db
def test_the_caseload_pages_keep_the_filters(client, users):
    for i in range(55):
        make_referral(f"R-{i:03}", "derby", cohort="A")
    html = get(client, users["provider_manager"], reverse("case_caseload"), cohort="A")
    assert "Page 1 of 2" in html and "cohort=A&amp;page=2" in html
    second = get(client, users["provider_manager"], reverse("case_caseload"), cohort="A", page="2")
    assert second.count('href="/cases/R-') == 5


@pytest.mark.django_db
def test_the_worklist_shows_names_and_filters_by_who_it_waits_on(client, users, named):
    ready = services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="Robin",
        family_name="Ready",
        date_of_birth=D(2010, 6, 1),
        enquiry_date=D(2023, 3, 1),
        papers=["care_plan", "chronology", "education_plan"],
    )
    html = get(client, users["spoc"], reverse("enquiry_list"))
    assert "Samira Elm" in html and "Robin Ready" in html
    council = get(client, users["spoc"], reverse("enquiry_list"), waiting_on="council")
    assert named.enquiry_id in council and ready.enquiry_id not in council
    provider = get(client, users["spoc"], reverse("enquiry_list"), waiting_on="provider")
    assert ready.enquiry_id in provider and named.enquiry_id not in provider
    newest = get(client, users["spoc"], reverse("enquiry_list"), sort="newest")
    assert newest.index(ready.enquiry_id) < newest.index(named.enquiry_id)


@pytest.mark.django_db
def test_a_name_is_found_whatever_its_accents_and_apostrophes_as_a_phone_types_them(
    client, users, referrals
):
    Child.objects.filter(referrals__referral_id="R-DER").update(
        given_name="Zoë",
        family_name="O\u2019Neill",  # typed on a phone: a curly apostrophe
    )
    Child.objects.filter(referrals__referral_id="R-NOT").update(
        given_name="Siobhán", family_name="d'Arcy-Nguyễn"
    )
    for typed in ("zoe o'neill", "ZOË", "O\u2019NEILL", "oneill zo", "Zoë O\u2019Neill"):
        html = search(client, users["admin"], typed)
        if typed == "oneill zo":  # the apostrophe is part of the name
            assert "R-DER" not in html, typed
        else:
            assert "R-DER" in html and "R-NOT" not in html, typed
    for typed in ("siobhan", "D\u2019ARCY", "d'arcy-nguyen", "SIOBHÁN"):
        html = search(client, users["admin"], typed)
        assert "R-NOT" in html and "R-DER" not in html, typed
    assert "R-DER" not in search(client, users["admin"], "zoe.")  # a dot is a dot
