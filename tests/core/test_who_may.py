"""What each role may do beyond opening a page: the services behind the governance pages
(and `stars retention`), the commissioner's approvals, and the home page's list for an
administrator. Who may and who may not, role by role (and council by council where a
council decides), and that the code follows access-policy.toml: a row changed there changes
what the service allows, with no role of the code's own choosing in between."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from stars.core import permissions
from stars.core.errors import RuleError
from stars.core.roles import Role
from stars.finance import services as finance
from stars.finance.models import OutcomeClaim
from stars.governance.corrections import child_restrict, record_correct
from stars.governance.services import disposal_request
from stars.partnership.models import Council
from stars.partnership.services import user_create
from stars.referrals import services as pipeline
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

D = dt.date
ANYONE = frozenset(Role.values)


@pytest.fixture
def people(users):
    """One user of each role (council roles: Derby's), and Nottingham's SPOC and commissioner."""
    nottingham = user_create(
        username="commissioner_nottingham",
        role="commissioner",
        council="nottingham",
        password=PASSWORD,
    )
    return {**users, "commissioner_nottingham": nottingham}


@pytest.fixture
def derby_records(users):
    enquiry = pipeline.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="Robin",
        family_name="Example",
        date_of_birth=D(2010, 6, 1),
        enquiry_date=D(2023, 2, 1),
    )
    claim = OutcomeClaim.objects.create(
        council=Council.objects.get(code="derby"), month=D(2023, 3, 1), status="draft"
    )
    return {"enquiry": enquiry, "claim": claim}


# each action or page a service checks: how to try it, and the words of its refusal
TRIES = {
    "records_dispose": (
        lambda by, r: disposal_request(kind="access_log", by=by, today=D(2026, 1, 1)),
        "Only an administrator may do this",
    ),
    "record_correct": (
        lambda by, r: record_correct(field="child.nothing", record="", value="", reason="", by=by),
        "Only an administrator may do this",
    ),
    "child_restrict": (
        lambda by, r: child_restrict(child_ref="C-NONE", restricted=True, reason="r", by=by),
        "Only an administrator may do this",
    ),
    "enquiry_approve_gf": (
        lambda by, r: pipeline.guaranteed_funding_approve(
            enquiry=r["enquiry"], by=by, on=D(2023, 2, 20)
        ),
        "Only the council's commissioner approves guaranteed funding",
    ),
    "claim_approve": (
        lambda by, r: finance.claim_approve(claim=r["claim"], by=by),
        "Only a commissioner of the council can review its claims",
    ),
}
# who may, by the users of `people`: what users rely on
MAY = {
    "records_dispose": {"admin"},
    "record_correct": {"admin"},
    "child_restrict": {"admin"},
    "enquiry_approve_gf": {"commissioner"},  # Derby's enquiry: Derby's commissioner alone
    "claim_approve": {"commissioner"},  # Derby's claim likewise
}


def _refused(name: str, user, records) -> bool:
    try_it, refusal = TRIES[name]
    try:
        try_it(user, records)
    except RuleError as exc:
        return exc.message == refusal  # another refusal: allowed, then stopped by a rule
    return False


@pytest.mark.parametrize("name", sorted(TRIES))
def test_each_role_may_or_may_not_as_the_policy_says(name, people, derby_records):
    refused = {who for who, user in people.items() if _refused(name, user, derby_records)}
    assert set(people) - refused == MAY[name]


def _grant(monkeypatch, name: str, roles: frozenset[str]) -> None:
    """access-policy.toml's row ``name`` as if it gave the action (or page) to ``roles``."""
    if name in permissions.ACTIONS:
        monkeypatch.setitem(permissions.ACTIONS, name, roles)
    else:
        page = permissions.PAGES[name]
        monkeypatch.setitem(permissions.PAGES, name, dataclasses.replace(page, roles=roles))


@pytest.mark.parametrize("name", sorted(TRIES))
def test_the_services_follow_the_table_not_a_role_of_their_own(
    name, people, derby_records, monkeypatch
):
    _grant(monkeypatch, name, ANYONE)
    assert not _refused(name, people["provider_manager"], derby_records)
    # a council still decides for council users: Nottingham's are refused Derby's records
    assert _refused(name, people["commissioner_nottingham"], derby_records) == (
        name in ("enquiry_approve_gf", "claim_approve")
    )
    _grant(monkeypatch, name, frozenset())
    assert all(_refused(name, user, derby_records) for user in people.values())


def test_the_administrators_list_on_the_home_page_follows_the_table(client, users, monkeypatch):
    def shown(role: str) -> bool:
        client.force_login(users[role])
        return 'data-testid="today-administration"' in client.get("/").content.decode()

    assert {r for r in Role.values if shown(r)} == {"admin"}
    _grant(monkeypatch, "administration", frozenset({"provider_manager"}))
    assert shown("provider_manager") and not shown("admin")


def test_a_policy_naming_an_action_that_is_also_a_page_or_with_an_unknown_cell_is_refused():
    roles = 'roles = ["spoc", "admin"]\n'
    with pytest.raises(permissions.PolicyError, match="both a page and an action"):
        permissions.load_actions(roles + '[pages]\nx = ["-", "all"]\n[actions]\nx = ["-", "may"]')
    with pytest.raises(permissions.PolicyError, match="unknown cell 'yes'"):
        permissions.load_actions(roles + '[pages]\n[actions]\nx = ["-", "yes"]')
    with pytest.raises(permissions.PolicyError, match="x has 1 cells for 2 roles"):
        permissions.load_actions(roles + '[pages]\n[actions]\nx = ["may"]')
    assert permissions.load_actions(roles + '[pages]\n[actions]\nx = ["-", "may"]') == {
        "x": frozenset({"admin"})
    }


def test_an_unknown_name_is_an_error_not_a_refusal(users):
    with pytest.raises(KeyError, match="no page or action 'programme_ad'"):
        permissions.allowed(users["admin"], "programme_ad")
