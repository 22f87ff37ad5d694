"""The role policy (src/stars/core/access-policy.toml) against what the pages answer.

One HTTP-level matrix: every page as every role (and signed out) answers as the table says:
200 where a role may open it, 403 where it may not, a redirect to sign in when signed out.
Where a page shows a record, the table's scope is tested too: a council user, or a key
worker, asking for another council's (or caseload's) record gets 404 for GET and POST alike,
and never sees its identifiers on any page; a programme-wide role gets it; an aggregate role
sees no child-level identifier at all. The service holds a second programme over the same
councils, with a referral on the same key worker's caseload: no role sees its identifiers
anywhere, and its records answer 404 to everyone (the users belong to the first programme
only). A second test fails when a step of adding a role or a
page is missed (docs/adding-a-role.md): a role without a column, a URL without a row, a row
without a URL, a scope rule that disagrees with the table.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stars.core.permissions import PAGES, POLICY_ROLES, REFUSED, Scope, scope_of
from stars.core.programmes import programme_use
from stars.core.roles import Role
from stars.partnership.models import Council, Programme
from stars.partnership.services import contract_load
from stars.referrals.models import ChildProfile, Enquiry
from stars.uploads.models import Upload
from tests.conftest import CONTRACT, make_referral

OPEN_TO_ALL = {"login", "logout"}
# Sample records for each kind of URL argument: in scope for the council and key-worker
# users of conftest.py (Derby's, on the key worker's caseload) and out of it.
IN_SCOPE = {
    "referral_id": "R-DER",
    "enquiry_id": "E-DER",
    "council": "derby",
    "month": "2022-03",
    "tracker_upload": "9001",
    "returns_upload": "9002",  # Derby's returns
}
OUT_OF_SCOPE = {
    **IN_SCOPE,
    "referral_id": "R-NOT",
    "enquiry_id": "E-NOT",
    "council": "nottingham",
    "returns_upload": "9003",  # Nottingham's returns
}
OTHER_RECORD_IDS = ("R-NOT", "E-NOT", "C-R-NOT")  # Nottingham's referral, enquiry and child
CHILD_LEVEL_IDS = ("R-DER", "E-DER", "C-R-DER", *OTHER_RECORD_IDS, "Synthetic Child")
# The second programme's referral, enquiry and child: Derby's, on the key worker's caseload
OTHER_PROGRAMME = {**IN_SCOPE, "referral_id": "R-OTH", "enquiry_id": "E-OTH"}
OTHER_PROGRAMME_IDS = ("R-OTH", "E-OTH", "C-R-OTH")
LIMITED = {"council", "caseload"}  # scopes that end at a boundary
NO_ROWS = {"aggregate", "pseudonymised"}  # no child-level row on the page itself


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if prefix + str(p.pattern) not in ("admin/", "api/"):  # their own checks
                yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name not in OPEN_TO_ALL:
            yield p


def _url_args() -> dict[str, list[str]]:
    """Each page's URL argument names."""
    return {
        p.callback.stars_page: list(p.pattern.converters)
        for p in _patterns()
        if hasattr(p.callback, "stars_page")
    }


def _url(name: str, args: list[str], values: dict[str, str]) -> str:
    return reverse(name, kwargs={a: values[a] for a in args} or None)


@pytest.fixture
def records(referrals, users):
    """R-DER and R-NOT (conftest.py), with an enquiry (and a profile) in each council; a
    tracker upload, and an upload of returns for each council; and a second programme,
    ``other``, with R-OTH and E-OTH (Derby's, the key worker's)."""
    for pk, kind, council in (
        (9001, "tracker", None),
        (9002, "returns", "derby"),
        (9003, "returns", "nottingham"),
    ):
        Upload.objects.create(
            pk=pk,
            kind=kind,
            programme="dn2-stars",  # made in the first programme
            council=Council.objects.get(code=council) if council else None,
            uploaded_by_name="someone",
            status="rejected",
            problems=True,
            headline="1 problem found; nothing was imported.",
            lines=["2024/episodes.csv:2: column DECOM: not a date"],
        )

    other_terms = CONTRACT.read_text(encoding="utf-8").replace(
        'code = "dn2-stars"\nname = "STARS"', 'code = "other"\nname = "Other"'
    )
    contract_load(text=other_terms, source="other.toml")
    with programme_use(Programme.objects.get(code="other").choice()):
        other = {"other": make_referral("R-OTH", "derby", key_worker=users["key_worker"])}
    for key, eid in (("derby", "E-DER"), ("nottingham", "E-NOT"), ("other", "E-OTH")):
        r = {**referrals, **other}[key]
        with programme_use(Programme.objects.get(pk=r.programme_id).choice()):
            e = Enquiry.objects.create(
                enquiry_id=eid,
                child=r.child,
                council=r.council,
                cohort="B",
                enquiry_date=r.referral_date,
            )
            ChildProfile.objects.create(
                enquiry=e, known_as="Sam", enjoys="a", good_at="b", what_helps="c", hopes="d"
            )
    return referrals


@pytest.mark.parametrize("role", ["signed out", *Role.values])
def test_every_page_answers_every_role_as_the_policy_says(client, users, records, role):
    assert role == "signed out" or role in users, f"tests/conftest.py: add a user for {role}"
    if role != "signed out":
        client.force_login(users[role])
    wrong = []
    for name, args in sorted(_url_args().items()):
        page = PAGES[name]
        url = _url(name, args, IN_SCOPE)
        response = client.get(url)
        if role == "signed out":
            if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
                wrong.append(f"{url}: {response.status_code}, not sent to sign in")
            continue
        sees = page.sees.get(role, REFUSED)
        expected = 403 if sees == REFUSED else 200
        if response.status_code != expected:
            wrong.append(f"{url}: {response.status_code}, the policy says {expected} ({sees})")
            continue
        if sees == REFUSED:
            if client.post(url, {}).status_code != 403:
                wrong.append(f"POST {url}: not refused")
            continue
        body = response.content
        hidden = CHILD_LEVEL_IDS if sees in NO_ROWS else OTHER_RECORD_IDS if sees in LIMITED else ()
        hidden = (*hidden, *OTHER_PROGRAMME_IDS)
        wrong += [f"{url}: shows {i} ({sees})" for i in hidden if i.encode() in body]
        if not args or sees in NO_ROWS:
            continue
        if {"referral_id", "enquiry_id"} & set(args):
            elsewhere = _url(name, args, OTHER_PROGRAMME)
            got = (client.get(elsewhere).status_code, client.post(elsewhere, {}).status_code)
            if got != (404, 404):
                wrong.append(f"{elsewhere}: GET, POST answered {got}, not 404 (other programme)")
        other = _url(name, args, OUT_OF_SCOPE)
        if sees in LIMITED:
            got = (client.get(other).status_code, client.post(other, {}).status_code)
            if got != (404, 404):
                wrong.append(f"{other}: GET, POST answered {got}, not 404 ({sees})")
        elif client.get(other).status_code != 200:
            wrong.append(f"{other}: {client.get(other).status_code}, not 200 ({sees})")
    assert wrong == [], f"as {role}:\n" + "\n".join(wrong)


def _sees(scope: Scope) -> str:
    """What ``scope_of`` lets a user see, in the policy's words."""
    if not scope.child_level:
        return "aggregate"
    if scope.key_worker_id is not None:
        return "caseload"
    return "all" if scope.programme_wide else "council"


def test_the_policy_covers_every_role_and_page_and_agrees_with_scope_of(users):
    assert Role.values == POLICY_ROLES, (
        "access-policy.toml: `roles` must list every Role, in order (a new role needs its "
        "column in every row: docs/adding-a-role.md)"
    )
    pages = set(_url_args())
    assert pages - set(PAGES) == set(), "URLs whose page has no row in access-policy.toml"
    assert set(PAGES) - pages == set(), "rows of access-policy.toml that no URL uses"
    disagree = []
    for role in Role.values:
        assert role in users, f"tests/conftest.py: add a user for the role {role}"
        own = _sees(scope_of(users[role]))
        for name, page in PAGES.items():
            sees = page.sees.get(role, REFUSED)
            fits = sees in (REFUSED, own) or (
                sees == "pseudonymised" and own in ("aggregate", "all")
            )
            if not fits:
                disagree.append(f"{name}: {role} sees {sees!r}; scope_of gives {own!r}")
    assert disagree == [], "the table and scope_of disagree:\n" + "\n".join(disagree)
