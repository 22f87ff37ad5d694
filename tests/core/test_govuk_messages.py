"""Every form speaks GOV.UK: an empty form says what to enter or select (never Django's "This
field is required."), hints give examples as people write them (no ISO dates), and a month
is typed as "October 2024"."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import re

import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stars.cases.instruments import instruments_ensure_defaults
from stars.core.forms import GovukForm
from stars.partnership.models import Council
from stars.referrals import services
from stars.uploads.models import Upload

FORM_MODULES = [
    "stars.referrals.forms",
    "stars.cases.forms",
    "stars.finance.forms",
    "stars.sufficiency.forms",
    "stars.core.forms",
]
# Django's own messages for the fields the service uses: none may reach a page.
DJANGO_MESSAGES = {
    str(m).split("%")[0].strip()
    for cls in (
        forms.CharField,
        forms.DateField,
        forms.IntegerField,
        forms.ChoiceField,
        forms.MultipleChoiceField,
        forms.BooleanField,
        forms.RegexField,
    )
    for klass in cls.__mro__
    for m in getattr(klass, "default_error_messages", {}).values()
}
POST_FORM = re.compile(
    r'<form(?![^>]*(?:sign-out|data-session-keep-alive))(?=[^>]*method="post")(?:[^>]*action="(?P<action>[^"]*)")?'
)
ISO_EXAMPLE = re.compile(r"(like|example,?|e\.g\.?)\s+\d{4}-\d{2}", re.I)


def _form_classes() -> list[type[forms.Form]]:
    for name in FORM_MODULES:
        importlib.import_module(name)
    out, todo = [], [forms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("stars.") and sub is not GovukForm:
                out.append(sub)
    return out


def test_every_form_of_the_service_is_a_govuk_form():
    classes = _form_classes()
    assert len(classes) > 25
    assert [c.__name__ for c in classes if not issubclass(c, GovukForm)] == []


def _urls(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern) not in ("admin/", "api/"):
                yield from _urls(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, list(p.pattern.converters)


@pytest.fixture
def records(users, referrals):
    instruments_ensure_defaults()
    enquiry = services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="D",
        given_name="Robin",
        family_name="Example",
        date_of_birth=dt.date(2012, 4, 2),
        enquiry_date=dt.date(2024, 1, 15),
    )
    uploads = {
        kind: Upload.objects.create(
            kind=kind,
            programme="dn2-stars",
            council=Council.objects.get(code="derby") if kind == "returns" else None,
            uploaded_by_name="someone",
            status="rejected",
            problems=True,
            headline="1 problem found; nothing was imported.",
            lines=["2024/episodes.csv:2: column DECOM: not a date"],
        ).pk
        for kind in ("tracker", "returns")
    }
    return {
        "tracker_upload": uploads["tracker"],
        "returns_upload": uploads["returns"],
        "referral_id": "R-DER",
        "enquiry_id": enquiry.enquiry_id,
        "council": "derby",
        "month": "2022-04",
    }


def _messages_on(page: str) -> list[str]:
    text = html.unescape(page)
    return [m for m in DJANGO_MESSAGES if m and m in text] + ISO_EXAMPLE.findall(text)


def test_no_form_anywhere_answers_an_empty_submission_with_djangos_words(client, users, records):
    posted = []
    for name, params in _urls():
        if name in ("login", "logout"):
            continue
        url = reverse(name, kwargs={p: records[p] for p in params})
        for role in ("admin", "commissioner"):
            client.force_login(users[role])
            shown = client.get(url)
            if shown.status_code != 200 or not POST_FORM.search(shown.content.decode()):
                continue
            assert _messages_on(shown.content.decode()) == [], (role, url)
            action = POST_FORM.search(shown.content.decode()).group("action")  # as a browser
            answer = client.post(action or url, {"csrfmiddlewaretoken": "as a browser sends"})
            page = answer.content.decode()
            if answer.status_code == 200:
                assert "govuk-error-summary" in page, (role, url)
            assert _messages_on(page) == [], (role, url)
            posted.append(name)
    assert {"enquiry_new", "enquiry_decide", "case_meeting", "case_close"} <= set(posted)
    assert len(set(posted)) >= 20


def test_the_sign_in_page_says_what_to_enter(client, users):
    page = client.post("/sign-in/", {}).content.decode()
    assert "Enter your username" in page and "Enter your password" in page
    assert _messages_on(page) == []
    page = client.post("/sign-in/", {"username": "spoc", "password": "wrong"}).content.decode()
    assert "Enter a correct username and password" in html.unescape(page)


@pytest.mark.parametrize("typed", ["October 2024", "oct 2024", "10/2024", "2024-10"])
def test_a_month_is_typed_as_people_write_it(client, users, typed):
    client.force_login(users["provider_manager"])
    answer = client.get(reverse("finance_claims"), {"council": "derby", "month": typed})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("claim_detail", args=["derby", "2024-10"])


def test_the_month_hint_and_error_give_a_month_in_words(client, users):
    client.force_login(users["provider_manager"])
    page = client.get(reverse("finance_claims")).content.decode()
    assert "For example, October 2024" in page
    page = client.get(reverse("finance_claims"), {"council": "derby", "month": "Octember"})
    assert "Enter the month as a real month, like October 2024" in page.content.decode()


def test_a_date_typed_day_month_year_is_understood(client, users, referrals):
    case = referrals["derby"]
    client.force_login(users["key_worker"])
    url = reverse("case_measure", args=["R-DER"])
    typed = {"date-day": "27", "date-month": "3", "date-year": "2022", "kind": "caution"}
    assert client.post(url, typed).status_code == 302
    assert case.events.get().date == dt.date(2022, 3, 27)
    page = client.post(url, {**typed, "date-day": "31", "date-month": "2"}).content.decode()
    assert "Date must be a real date" in page
