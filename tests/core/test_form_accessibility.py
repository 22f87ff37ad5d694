"""Forms as GOV.UK's error pattern has them, for people using a screen reader: every field's
error message (and hint) is what its input, or its group's fieldset, is described by; a page
showing errors has the error summary at the top and a title starting "Error:"; a form's title
names the record it changes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms
from django.template.loader import get_template, render_to_string
from django.urls import reverse


class _Elements(HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def by_id(self, element_id: str) -> list[tuple[str, dict[str, str]]]:
        return [(t, a) for t, a in self.elements if a.get("id") == element_id]

    def described(self, element_id: str) -> list[str]:
        """The tags of the elements described by the element with this id."""
        return [t for t, a in self.elements if element_id in a.get("aria-describedby", "").split()]


class _Everything(forms.Form):
    name = forms.CharField(help_text="As the family says it")
    notes = forms.CharField(widget=forms.Textarea)
    council = forms.ChoiceField(choices=[("", "Choose"), ("derby", "Derby")])
    outcome = forms.ChoiceField(
        choices=[("a", "Agreed"), ("d", "Declined")], widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        choices=[("x", "One"), ("y", "Two")], widget=forms.CheckboxSelectMultiple
    )
    agreed = forms.BooleanField()
    archive = forms.FileField()

    def clean_name(self) -> str:
        raise forms.ValidationError(["Enter the name", "Use letters only"])


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0].strip()


def test_each_kind_of_field_is_described_by_its_error_message_and_hint():
    form = _Everything(data={"name": "R2"})
    assert not form.is_valid()
    html = "".join(render_to_string("stars/field.html", {"field": f}) for f in form)
    page = _Elements(html)
    expected = {
        "name": "input",
        "notes": "textarea",
        "council": "select",
        "outcome": "fieldset",
        "needs": "fieldset",
        "agreed": "input",
        "archive": "input",
    }
    for name, tag in expected.items():
        error_id = f"id_{name}-error"
        assert len(page.by_id(error_id)) == 1, name  # one message a field, its id unique
        assert page.described(error_id) == [tag], name
    assert page.described("id_name-hint") == ["input"]
    assert "Enter the name<br>Use letters only" in html  # both errors, in the one message


def test_a_field_without_an_error_or_hint_is_described_by_nothing():
    form = _Everything(data={"notes": "Fine"})
    form.is_valid()
    html = render_to_string("stars/field.html", {"field": form["notes"]})
    assert "aria-describedby" not in html and "govuk-error-message" not in html


@pytest.mark.django_db
def test_sign_in_with_a_field_left_blank_says_error_in_the_title_and_on_the_field(client, users):
    response = client.post(reverse("login"), {"username": "spoc", "password": ""})
    html = response.content.decode()
    assert _title(html).startswith("Error: Sign in")
    page = _Elements(html)
    assert page.described("id_password-error") == ["input"]
    assert 'href="#id_password"' in html


@pytest.mark.django_db
def test_a_case_form_names_the_case_in_its_title_and_says_error_first(client, users, referrals):
    client.force_login(users["key_worker"])
    url = reverse("case_meeting", args=["R-DER"])
    title = "Record a progress meeting – Case R-DER – STARS"
    assert _title(client.get(url).content.decode()) == title
    html = client.post(url, {"date": ""}).content.decode()
    assert _title(html) == f"Error: {title}"
    assert html.index("govuk-error-summary") < html.index("<h1")


@pytest.mark.django_db
def test_the_board_report_with_a_quarter_it_cannot_read_shows_the_error_summary(
    client, users, referrals
):
    client.force_login(users["provider_manager"])
    html = client.get(reverse("report_board"), {"quarter": "Q9 2024"}).content.decode()
    assert _title(html).startswith("Error: Board report card")
    assert html.index("govuk-error-summary") < html.index("<h1")
    assert 'href="#quarter"' in html
    assert _Elements(html).described("quarter-error") == ["select"]


def test_the_error_summary_comes_before_the_heading_on_every_form_with_its_own():
    """The simulator, forecast, access review and board pages place their error summary at the
    top of the page, as GOV.UK does: a screen reader, moved to it, reads the problems first."""
    for name in (
        "reports/simulator.html",
        "sufficiency/forecast.html",
        "governance/access_review.html",
        "reports/board.html",
    ):
        source = get_template(name).template.source
        found = (source.find("govuk-error-summary"), source.find("error_summary.html"))
        summary = min(i for i in found if i >= 0)
        assert summary < source.index("<h1"), name
