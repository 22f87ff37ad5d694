"""Who may see what: the one place where roles and council scope are decided.

The policy is data: ``access-policy.toml`` beside this module, one row per page and one
column per role, says which roles may open each page and what they see there; :data:`PAGES`
is read from it. Every view is wrapped in :func:`page`, naming an entry of :data:`PAGES`; an
architecture test checks that every URL is, and tests/core/test_access_policy.py opens every
page as every role and checks the answers against the table. What a role may do beyond
opening a page (a background job's step, a service the CLI runs too, a part of a page) is a
row of the table's ``[actions]``, read into :data:`ACTIONS`; :func:`allowed` answers for a
page and an action alike, and no other module compares a user's role to decide
(tests/architecture/test_permissions.py).

Every query for child-level records goes through a selector that calls :func:`scope_of` and
:meth:`Scope.filter`, so no page can forget a council's boundary. Out-of-scope records are
answered 404, never 403, so a user cannot learn that another council's record exists.

The service holds several programmes, and every record belongs to one. Each page (through
:func:`page`) and each API call (through ``stars.core.api.require``) works inside one
programme: the one asked for with ``?programme=CODE``, else the one the user last chose in
the header's switcher, else their first. :func:`programme_enter` decides it from the user's
memberships (another programme's code is answered 404), and every model of programme
records has a :class:`ProgrammeManager`, so no query of a page, export, claim, report or API
call can see another programme's records. Outside a request (the CLI, tests) the programme
is the one set with :func:`programme_use`, or, when none is set, the records of every
programme (a service with one programme behaves as before programmes existed).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from stars.core.dates import date_problems, dates_coarsen, dates_refused
from stars.core.programmes import (
    NO_PROGRAMME,
    SESSION_KEY,
    ProgrammeChoice,
    programme_active,
    programme_use,
)
from stars.core.roles import Role

POLICY = Path(__file__).with_name("access-policy.toml")
REFUSED = "-"
SEES = ("council", "caseload", "all", "aggregate", "pseudonymised")  # see access-policy.toml
ALL_ROLES = frozenset(Role)


class PolicyError(ValueError):
    """The policy table is malformed (a row of the wrong length, an unknown cell)."""


@dataclass(frozen=True)
class Page:
    roles: frozenset[str]  # the roles that may open it
    nav: str = ""  # label in the service navigation; blank for pages not in it
    sees: Mapping[str, str] = field(default_factory=dict)  # role -> what it sees there


def load_policy(text: str, source: str = "access-policy.toml") -> tuple[list[str], dict[str, Page]]:
    """The role columns and the pages of a policy table (the format of access-policy.toml)."""
    data = tomllib.loads(text)
    roles = list(data["roles"])
    nav = dict(data.get("nav", {}))
    pages: dict[str, Page] = {}
    for name, cells in data["pages"].items():
        if len(cells) != len(roles):
            raise PolicyError(f"{source}: {name} has {len(cells)} cells for {len(roles)} roles")
        unknown = sorted(set(cells) - {REFUSED, *SEES})
        if unknown:
            raise PolicyError(f"{source}: {name}: unknown cell {unknown[0]!r}")
        sees = {r: c for r, c in zip(roles, cells, strict=True) if c != REFUSED}
        pages[name] = Page(frozenset(sees), nav.get(name, ""), sees)
    stray = sorted(set(nav) - set(pages))
    if stray:
        raise PolicyError(f"{source}: [nav] names {stray[0]!r}, which is not a page")
    return roles, pages


MAY = "may"  # an action's cell for a role that may take it (else REFUSED)


def load_actions(text: str, source: str = "access-policy.toml") -> dict[str, frozenset[str]]:
    """The roles that may take each action of a policy table's ``[actions]``."""
    data = tomllib.loads(text)
    roles = list(data["roles"])
    actions: dict[str, frozenset[str]] = {}
    for name, cells in data.get("actions", {}).items():
        if len(cells) != len(roles):
            raise PolicyError(f"{source}: {name} has {len(cells)} cells for {len(roles)} roles")
        unknown = sorted(set(cells) - {REFUSED, MAY})
        if unknown:
            raise PolicyError(f"{source}: {name}: unknown cell {unknown[0]!r} (may or -)")
        if name in data["pages"]:
            raise PolicyError(f"{source}: {name} is both a page and an action")
        actions[name] = frozenset(r for r, c in zip(roles, cells, strict=True) if c == MAY)
    return actions


_POLICY_TEXT = POLICY.read_text(encoding="utf-8")
POLICY_ROLES, PAGES = load_policy(_POLICY_TEXT, str(POLICY))
ACTIONS = load_actions(_POLICY_TEXT, str(POLICY))


_OPTIONS = "_stars_programme_options"


def programme_options(user: Any) -> list[ProgrammeChoice] | None:
    """The programmes a user works in (None: the service holds no programme yet). Read
    once per user object, so once per request (``request.user`` is loaded for each): the
    page, the header's switcher and the home page's links all ask."""
    options = getattr(user, "programme_options", None)
    if not callable(options):
        return None
    found = getattr(user, _OPTIONS, None)
    if found is None:
        found = (options(),)
        setattr(user, _OPTIONS, found)
    return found[0]  # type: ignore[no-any-return]


def programme_enter(
    request: HttpRequest, user: Any, *, remember: bool = True
) -> ProgrammeChoice | None:
    """The programme this request works in, for this user: ``?programme=CODE`` (404 when
    the user does not belong to it), else the one remembered in the session, else the
    user's first. A page remembers a code asked for, so the next page stays in it."""
    options = programme_options(user)
    if options is None:
        return None
    if not options:
        return NO_PROGRAMME
    by_code = {o.code.lower(): o for o in options}
    asked = request.GET.get("programme")
    if asked is not None:
        choice = by_code.get(asked.strip().lower())
        if choice is None:
            known = ", ".join(by_code)
            raise Http404(f"programme {asked!r}: no such programme of yours (one of: {known})")
    else:
        session = getattr(request, "session", None)
        remembered = session.get(SESSION_KEY, "") if session is not None else ""
        choice = by_code.get(str(remembered).lower(), options[0])
    session = getattr(request, "session", None)
    if remember and session is not None and asked is not None and len(options) > 1:
        session[SESSION_KEY] = choice.code
    return choice


@dataclass(frozen=True)
class Scope:
    """What part of the programme a user may see."""

    councils: frozenset[str] | None  # council codes; None means every council
    key_worker_id: int | None  # a key worker sees only their own caseload
    child_level: bool  # may see child-level rows at all
    identifiable: bool  # may see names and dates of birth
    programme: ProgrammeChoice | None = None  # the programme worked in (None: not narrowed)
    sees_restricted: bool = False  # may see a restricted child's records (administrators)

    @property
    def key(self) -> tuple[Any, ...]:
        """The scope as plain values in a fixed order, e.g. for a cache key."""
        councils = None if self.councils is None else tuple(sorted(self.councils))
        return (councils, self.key_worker_id, self.child_level, self.identifiable)

    @property
    def programme_wide(self) -> bool:
        """Every council's records (or figures), not one council's."""
        return self.councils is None

    @property
    def own_caseload_only(self) -> bool:
        """A key worker's scope: the cases they hold, nothing else."""
        return self.key_worker_id is not None

    @property
    def councils_in_view(self) -> list[str] | None:
        """The codes of the councils in view, sorted; None for every council."""
        return None if self.councils is None else sorted(self.councils)

    def covers(self, council_code: str) -> bool:
        """May this user work with records of that council?"""
        return self.councils is None or council_code in self.councils

    def filter(
        self,
        qs: QuerySet[Any],
        council: str = "council__code",
        key_worker: str = "key_worker_id",
        child: str | None = None,
    ) -> QuerySet[Any]:
        """Narrow a queryset of child-level records to this scope. ``child`` is the path to
        the records' child ("child__", or "" for children themselves): a restricted child's
        records are then left out for everyone but administrators."""
        if not self.child_level:
            return qs.none()
        if child is not None and not self.sees_restricted:
            qs = _without_restricted(qs, child)
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


def _without_restricted(qs: QuerySet[Any], child: str) -> QuerySet[Any]:
    """``qs`` without the records of a child whose processing is restricted. A record's
    child is looked for among the few restricted children (an index holds them alone), so
    that a list need not join every child to read each one's flag."""
    if not child:
        return qs.exclude(restricted=True)
    fk = qs.model._meta.get_field(child.removesuffix("__"))
    restricted = fk.related_model._base_manager.filter(restricted=True).values("pk")
    return qs.exclude(**{f"{fk.name}__in": restricted})


def scope_of(user: Any) -> Scope:
    """The records a user may see: every role has its own rule here (and its column in the
    policy table, which says the same: tests/core/test_access_policy.py)."""
    role = getattr(user, "role", None)
    programme = programme_active()
    if not getattr(user, "is_authenticated", False) or role not in ALL_ROLES:
        return Scope(frozenset(), None, False, False, programme)
    if role in (Role.SPOC, Role.COMMISSIONER):
        code = user.council.code if user.council_id else ""
        return Scope(frozenset({code}), None, True, True, programme)
    if role == Role.KEY_WORKER:
        return Scope(None, user.pk, True, True, programme)
    if role == Role.ADMIN:
        return Scope(None, None, True, True, programme, sees_restricted=True)
    if role == Role.PROVIDER_MANAGER:
        return Scope(None, None, True, True, programme)
    if role in (Role.INVESTOR, Role.EVALUATOR):
        return Scope(None, None, False, False, programme)  # aggregate figures only
    raise LookupError(f"scope_of has no rule for the role {role!r} (docs/adding-a-role.md)")


def allowed(user: Any, name: str) -> bool:
    """May ``user`` open the page, or take the action, called ``name`` (a row of
    access-policy.toml's ``[pages]`` or ``[actions]``)? The one answer to "who may": no
    module compares a user's role itself."""
    if name in PAGES:
        roles = PAGES[name].roles
    elif name in ACTIONS:
        roles = ACTIONS[name]
    else:
        raise KeyError(f"no page or action {name!r} in {POLICY.name}")
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in roles


def may_act_for(user: Any, name: str, council_code: str) -> bool:
    """May ``user`` take the action (or open the page) ``name`` on a record of the council
    ``council_code``: the role may, and the council is within the user's scope."""
    return allowed(user, name) and scope_of(user).covers(council_code)


def to_sign_in(request: HttpRequest) -> HttpResponse:
    """To the sign-in page, which comes back to this page afterwards. A form posted signed
    out (the session ended while it was being filled in) was not saved: the sign-in page
    says so (``unsaved=1``, a flag, nothing of the form), so the user knows to enter it
    again. What was posted is not kept (docs/decisions/0007-forms-posted-after-sign-out.md)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return redirect_to_login(request.get_full_path())
    return redirect_to_login(request.get_full_path(), login_url=f"{reverse('login')}?unsaved=1")


def page(name: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require sign-in and one of the roles of ``PAGES[name]``."""
    if name not in PAGES:
        raise KeyError(f"no page {name!r} in stars.core.permissions.PAGES")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return to_sign_in(request)
            if not allowed(request.user, name):
                raise PermissionDenied(f"the {name} page is not open to your role")
            if not scope_of(request.user).child_level:
                dates_coarsen(request)  # figures only: dates are whole quarters
            with programme_use(programme_enter(request, request.user)):
                response = view(request, *args, **kwargs)
                html = response.get("Content-Type", "").startswith("text/html")
                if dates_refused(request) and not html:
                    # a download is never given for a date finer than a whole quarter
                    response = render(request, "stars/date_refused.html", status=400)
            if date_problems(request) and response.status_code == 200 and html:
                response.status_code = 400  # a date in the address is not a real date
            return response

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
    options = programme_options(user) or []
    return {
        "nav_items": items,
        "user_role_label": Role(user.role).label if user.role else "",
        "programme_current": programme_active(),
        "programme_options": options if len(options) > 1 else [],
    }
