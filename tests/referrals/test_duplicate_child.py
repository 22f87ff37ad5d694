"""The same child entered twice: the SPOC is warned and offered the child already recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from stars.partnership.models import Council
from stars.referrals import services
from stars.referrals.models import Child, Enquiry
from stars.referrals.services import PipelineError

ENQUIRY = {
    "council": "derby",
    "cohort": "D",
    "given_name": "Robin",
    "family_name": "Example",
    "date_of_birth": "2012-04-02",
    "enquiry_date": "2024-01-15",
}


@pytest.fixture
def first(users):
    return services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="D",
        given_name="Robin",
        family_name="Example",
        date_of_birth=dt.date(2012, 4, 2),
        enquiry_date=dt.date(2023, 11, 1),
    )


def test_same_name_and_birth_is_warned_and_nothing_is_saved_until_the_spoc_says(
    client, users, first
):
    client.force_login(users["spoc"])
    again = {**ENQUIRY, "given_name": "  robin ", "family_name": "EXAM PLE"}
    response = client.post(reverse("enquiry_new"), again)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-warning-text" in html
    assert "A child called Robin Example, born 2 April 2012, is already recorded" in html
    assert f'value="{first.child.child_ref}"' in html and first.enquiry_id in html
    assert 'value="new"' in html and "There is a problem" not in html
    assert (Enquiry.objects.count(), Child.objects.count()) == (1, 1)

    # Sent again without an answer: a GOV.UK error on the question.
    response = client.post(reverse("enquiry_new"), {**again, "same_child_asked": "1"})
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select whether this is a child already recorded" in html
    assert Enquiry.objects.count() == 1

    response = client.post(
        reverse("enquiry_new"),
        {**again, "same_child_asked": "1", "same_child": first.child.child_ref},
    )
    assert response.status_code == 302
    second = Enquiry.objects.exclude(pk=first.pk).get()
    assert second.child_id == first.child_id and Child.objects.count() == 1


def test_a_different_child_with_the_same_name_and_birth_is_recorded_apart(client, users, first):
    client.force_login(users["spoc"])
    response = client.post(
        reverse("enquiry_new"), {**ENQUIRY, "same_child_asked": "1", "same_child": "new"}
    )
    assert response.status_code == 302
    assert Child.objects.count() == 2
    assert Enquiry.objects.exclude(pk=first.pk).get().child_id != first.child_id


def test_a_different_name_or_birth_is_not_warned(client, users, first):
    client.force_login(users["spoc"])
    response = client.post(reverse("enquiry_new"), {**ENQUIRY, "date_of_birth": "2012-04-03"})
    assert response.status_code == 302
    response = client.post(reverse("enquiry_new"), {**ENQUIRY, "given_name": "Robyn"})
    assert response.status_code == 302


def test_another_councils_child_is_never_offered_nor_linked(client, users, first):
    client.force_login(users["spoc_nottingham"])
    response = client.post(
        reverse("enquiry_new"),
        {**ENQUIRY, "council": "nottingham", "same_child": first.child.child_ref},
    )
    assert response.status_code == 302  # no warning: Derby's child is not Nottingham's
    theirs = Enquiry.objects.get(council__code="nottingham")
    assert theirs.child_id != first.child_id and theirs.child.council.code == "nottingham"
    html = client.get(reverse("enquiry_detail", args=[theirs.enquiry_id])).content.decode()
    assert first.child.child_ref not in html and first.enquiry_id not in html


def test_the_service_refuses_another_councils_child(users, first):
    with pytest.raises(PipelineError) as err:
        services.enquiry_record(
            council=Council.objects.get(code="nottingham"),
            cohort="D",
            given_name="Robin",
            family_name="Example",
            date_of_birth=dt.date(2012, 4, 2),
            enquiry_date=dt.date(2024, 1, 15),
            child=first.child,
        )
    assert err.value.field == "same_child"
    assert Enquiry.objects.count() == 1


def test_a_restricted_child_is_still_detected_without_revealing_it(client, users, first):
    from stars.governance.corrections import child_restrict

    child_restrict(
        child_ref=first.child.child_ref, restricted=True, reason="Asked", by=users["admin"]
    )
    client.force_login(users["spoc"])
    response = client.post(reverse("enquiry_new"), ENQUIRY)
    html = response.content.decode()
    assert response.status_code == 200 and Enquiry.objects.count() == 1  # nothing saved
    assert "A possible duplicate exists" in html and "Ask an administrator" in html
    assert first.child.child_ref not in html and first.enquiry_id not in html  # not revealed
    assert "Robin Example, born" not in html and 'value="ask"' in html

    response = client.post(
        reverse("enquiry_new"), {**ENQUIRY, "same_child_asked": "1", "same_child": "ask"}
    )
    assert response.status_code == 302 and Enquiry.objects.count() == 1
    assert "ask an administrator" in client.get(response["Location"]).content.decode()
    # the same child can't be linked by a forged answer: the choice is not offered
    response = client.post(
        reverse("enquiry_new"),
        {**ENQUIRY, "same_child_asked": "1", "same_child": first.child.child_ref},
    )
    assert response.status_code == 200 and Enquiry.objects.count() == 1
    response = client.post(
        reverse("enquiry_new"), {**ENQUIRY, "same_child_asked": "1", "same_child": "new"}
    )
    assert response.status_code == 302 and Child.objects.count() == 2

    # an administrator sees the restricted child and is offered it, as any child alike
    client.force_login(users["admin"])
    html = client.post(reverse("enquiry_new"), ENQUIRY).content.decode()
    assert f'value="{first.child.child_ref}"' in html and "A possible duplicate" not in html
