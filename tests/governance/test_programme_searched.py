"""Subject access, correction and restriction find a child by reference in the programme
worked in (a child reference is unique only within one programme): each page says which
programme it searches, and links to the same page in each other programme the
administrator works in; the pages did not say so, so a reference of another programme
read as "no child has the reference", or a response as complete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stars.partnership.models import User

PAGES = ("governance_subject_access", "governance_correct", "governance_restrict")


@pytest.mark.parametrize("name", PAGES)
def test_the_page_names_the_programme_it_searches_and_links_to_the_others(
    client, both_programmes, name
):
    client.force_login(User.objects.get(username="admin"))  # works in both programmes
    url = reverse(name)
    html = client.get(url + "?programme=dn2-stars").content.decode()
    assert 'data-testid="programme-searched"' in html
    assert "This page searches STARS only." in html
    assert "A child reference is unique only within one programme" in html
    assert f'href="{url}?programme=stepdown">Search Step-down fostering</a>' in html
    other = client.get(url + "?programme=stepdown").content.decode()
    assert "This page searches Step-down fostering only." in other
    assert f'href="{url}?programme=dn2-stars">Search STARS</a>' in other


def test_a_subject_access_response_says_it_covers_one_programme(client, both_programmes):
    client.force_login(User.objects.get(username="admin"))
    html = client.get(reverse("governance_subject_access")).content.decode()
    assert "A child known to several programmes has a response from each" in html


def test_an_administrator_of_one_programme_is_told_which_and_offered_no_other(client, users):
    client.force_login(users["admin"])
    html = client.get(reverse("governance_subject_access")).content.decode()
    assert "This page searches STARS only." in html
    assert "To search another programme" not in html
