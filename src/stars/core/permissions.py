"""Who may see what: the one place where roles and council scope are decided.

Every view is wrapped in :func:`page`, naming an entry of :data:`PAGES`; an architecture
test checks that every URL is. Every query for child-level records goes through a
selector that calls :func:`scope_of` and :meth:`Scope.filter`, so no page can forget
a council's boundary. Out-of-scope records are answered 404, never 403, so a user
cannot learn that another council's record exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from stars.core.roles import Role

ALL_ROLES = frozenset(Role)
PIPELINE = frozenset({Role.SPOC, Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.ADMIN})
CHILD_LEVEL = frozenset(
    {Role.SPOC, Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.KEY_WORKER, Role.ADMIN}
)


@dataclass(frozen=True)
class Page:
    roles: frozenset[str]
    nav: str = ""  # label in the service navigation; blank for pages not in it


PAGES: dict[str, Page] = {
    "home": Page(ALL_ROLES, "Home"),
    "referral_list": Page(CHILD_LEVEL, "Referrals"),
    "referral_detail": Page(CHILD_LEVEL),
    "report_evaluation": Page(
        frozenset({Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.EVALUATOR, Role.ADMIN}),
        "Evaluation report",
    ),
    "report_board": Page(
        frozenset(
            {Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.INVESTOR, Role.EVALUATOR, Role.ADMIN}
        ),
        "Board report card",
    ),
    "audit": Page(frozenset({Role.ADMIN}), "Audit"),
    # -- referral pipeline (stars.referrals) --
    "enquiry_list": Page(PIPELINE, "Enquiries"),
    "enquiry_new": Page(frozenset({Role.SPOC, Role.ADMIN})),
    "enquiry_detail": Page(PIPELINE),
    "enquiry_papers": Page(frozenset({Role.SPOC, Role.PROVIDER_MANAGER, Role.ADMIN})),
    "enquiry_decide": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "enquiry_consent": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "enquiry_approve_gf": Page(frozenset({Role.COMMISSIONER})),
    "enquiry_accept": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "enquiry_profile": Page(frozenset({Role.SPOC, Role.PROVIDER_MANAGER, Role.ADMIN})),
    "enquiry_profile_pdf": Page(frozenset({Role.SPOC, Role.PROVIDER_MANAGER, Role.ADMIN})),
    "enquiry_match": Page(frozenset({Role.SPOC, Role.PROVIDER_MANAGER, Role.ADMIN})),
    "referral_rerefer": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "targets": Page(
        frozenset({Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.INVESTOR, Role.ADMIN}),
        "Targets",
    ),
    # -- cases and measures (stars.cases) --
    "case_detail": Page(CHILD_LEVEL),
    "case_caseload": Page(
        frozenset({Role.KEY_WORKER, Role.PROVIDER_MANAGER, Role.ADMIN}), "Caseload"
    ),
    "cases_outcomes": Page(ALL_ROLES, "Outcomes"),
    **{
        name: Page(frozenset({Role.KEY_WORKER, Role.PROVIDER_MANAGER, Role.ADMIN}))
        for name in (
            "case_phase",
            "case_team",
            "case_meeting",
            "case_actions",
            "case_intervention",
            "case_period",
            "case_period_end",
            "case_attendance",
            "case_assessment",
            "case_measure",
            "case_survey",
        )
    },
    "case_close": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "case_move_cohort": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    # -- money (stars.finance) --
    "finance_claims": Page(
        frozenset({Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.ADMIN}), "Claims"
    ),
    "claim_detail": Page(frozenset({Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.ADMIN})),
    "claim_prepare": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "claim_submit": Page(frozenset({Role.PROVIDER_MANAGER, Role.ADMIN})),
    "claim_approve": Page(frozenset({Role.COMMISSIONER})),
    "claim_dispute": Page(frozenset({Role.COMMISSIONER})),
    "finance_money": Page(
        frozenset({Role.COMMISSIONER, Role.PROVIDER_MANAGER, Role.ADMIN}), "Money"
    ),
    "finance_investor": Page(
        frozenset({Role.INVESTOR, Role.PROVIDER_MANAGER, Role.ADMIN}), "Investor view"
    ),
    "finance_extract": Page(
        frozenset({Role.EVALUATOR, Role.PROVIDER_MANAGER, Role.ADMIN}), "Evaluation extract"
    ),
    # -- placement sufficiency (stars.sufficiency) --
    "sufficiency_home": Page(
        frozenset({Role.COMMISSIONER, Role.SPOC, Role.ADMIN}), "Placement sufficiency"
    ),
    "sufficiency_dashboard": Page(frozenset({Role.COMMISSIONER, Role.SPOC, Role.ADMIN})),
    "sufficiency_forecast": Page(frozenset({Role.COMMISSIONER, Role.SPOC, Role.ADMIN})),
    "sufficiency_reconcile": Page(frozenset({Role.COMMISSIONER, Role.SPOC, Role.ADMIN})),
    "sufficiency_link": Page(frozenset({Role.COMMISSIONER, Role.ADMIN})),
}


@dataclass(frozen=True)
class Scope:
    """What part of the programme a user may see."""

    councils: frozenset[str] | None  # council codes; None means every council
    key_worker_id: int | None  # a key worker sees only their own caseload
    child_level: bool  # may see child-level rows at all
    identifiable: bool  # may see names and dates of birth

    @property
    def programme_wide(self) -> bool:
        """Every council's records (or figures), not one council's."""
        return self.councils is None

    def covers(self, council_code: str) -> bool:
        """May this user work with records of that council?"""
        return self.councils is None or council_code in self.councils

    def filter(
        self, qs: QuerySet[Any], council: str = "council__code", key_worker: str = "key_worker_id"
    ) -> QuerySet[Any]:
        """Narrow a queryset of child-level records to this scope."""
        if not self.child_level:
            return qs.none()
        qs = self.within_councils(qs, council)
        if self.key_worker_id is not None:
            qs = qs.filter(Q(**{key_worker: self.key_worker_id}))
        return qs

    def within_councils(self, qs: QuerySet[Any], council: str = "council__code") -> QuerySet[Any]:
        """Narrow records counted for aggregate figures to this scope's councils."""
        if self.councils is not None:
            qs = qs.filter(**{f"{council}__in": sorted(self.councils)})
        return qs

    def council_codes(self, all_codes: tuple[str, ...]) -> tuple[str, ...]:
        """The councils whose aggregate figures this user may see."""
        if self.councils is None:
            return all_codes
        return tuple(c for c in all_codes if c in self.councils)


def scope_of(user: Any) -> Scope:
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or role not in ALL_ROLES:
        return Scope(frozenset(), None, False, False)
    if role in (Role.SPOC, Role.COMMISSIONER):
        code = user.council.code if user.council_id else ""
        return Scope(frozenset({code}), None, True, True)
    if role == Role.KEY_WORKER:
        return Scope(None, user.pk, True, True)
    if role in (Role.PROVIDER_MANAGER, Role.ADMIN):
        return Scope(None, None, True, True)
    if role == Role.EVALUATOR:
        return Scope(None, None, False, False)
    return Scope(None, None, False, False)  # investor: aggregate figures only


def allowed(user: Any, page_name: str) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and getattr(user, "role", None) in PAGES[page_name].roles
    )


def page(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require sign-in and one of the roles of ``PAGES[name]``."""
    if name not in PAGES:
        raise KeyError(f"no page {name!r} in stars.core.permissions.PAGES")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, name):
                raise PermissionDenied(f"the {name} page is not open to your role")
            return view(request, *args, **kwargs)

        wrapper.stars_page = name  # type: ignore[attr-defined]
        return wrapper

    return decorate


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: the service navigation for the signed-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, p in PAGES.items():
        if p.nav and allowed(user, name):
            url = reverse(name)
            items.append({"label": p.nav, "url": url, "active": request.path == url})
    return {"nav_items": items, "user_role_label": Role(user.role).label if user.role else ""}
