"""The figures worked out before anyone asks: after a change to the records, not on the
first user's request.

The money, investor, evaluation and outcomes pages, the caseload's counts and each user's
home page (today's work, or the figures at a glance) are cached per version of the records
they are computed from (``stars.core.cache``); the first request after an import would
otherwise compute them while the user waits (seconds with 100,000 referrals).
:func:`warm_figures` fills the same cache entries the pages read, through the same
functions, for every active user's scope in each programme they work in: a user who would
get the same figures as another (the same councils) finds them already there. The job worker
runs it whenever the records change (``figures_version``; ``stars worker``), and ``stars
warm-figures`` runs it by hand.

The cache must be shared by the web server's processes and the worker (``STARS_CACHE_URL``,
Redis): each process's local-memory cache warms only itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from stars.cases.outcomes import OUTCOME_RECORDS, outcomes_as_of, outcomes_tables
from stars.cases.selectors import (
    CASELOAD_RECORDS,
    Filters,
    caseload_overdue,
    caseload_summary,
)
from stars.core.cache import data_version
from stars.core.permissions import allowed, programme_options, scope_of
from stars.core.programmes import NO_PROGRAMME, ProgrammeChoice, programme_use
from stars.domain.disclosure import AS_OF, coarse_date
from stars.finance.cached import investor_page_figures, money_page_figures
from stars.partnership.models import User
from stars.partnership.selectors import contract_or_none
from stars.reports.services import evaluation_page_figures, published_for
from stars.reports.targets import targets_page_figures
from stars.tracker.selectors import VERSIONED
from stars.web.today import TODAY_RECORDS, at_a_glance, today_work_cached


def figures_version() -> str:
    """The version of every record a warmed figure is computed from (one query): a change
    to any of them is a new version, and the worker warms the figures again."""
    return data_version(
        tuple(dict.fromkeys((*VERSIONED, *OUTCOME_RECORDS, *TODAY_RECORDS, *CASELOAD_RECORDS)))
    )


def _warm_user(user: Any, dates: list[dt.date], today: dt.date) -> None:
    contract = contract_or_none()
    if contract is None:
        return
    scope = scope_of(user)
    if not scope.child_level:  # figures only: as of the quarters' ends (stars.core.dates)
        dates = sorted({coarse_date(d, AS_OF, today) for d in dates})
    for as_of in dates:
        if allowed(user, "finance_money"):
            money_page_figures(contract, scope, as_of)
        if allowed(user, "finance_investor"):
            investor_page_figures(contract, as_of)
        if allowed(user, "report_evaluation"):
            evaluation_page_figures(scope, as_of, published=published_for(scope))
        if allowed(user, "targets"):
            targets_page_figures(scope, as_of)
    if allowed(user, "cases_outcomes"):
        records = Filters(as_of=outcomes_as_of(scope, today))
        outcomes_tables(scope, records, suppressed=not scope.child_level)
    if allowed(user, "case_caseload"):  # its counts, as the page first opens
        caseload_overdue(user, today)
        if not scope.own_caseload_only:
            caseload_summary(user, today)
    if allowed(user, "home"):
        today_work_cached(user, today)
        at_a_glance(user, today, contract)


def warm_figures(as_of: Iterable[dt.date] = ()) -> int:
    """Work out the cached figures of every active user's pages, as of today and each date
    of ``as_of``, in each programme the user works in; how many users' pages were warmed."""
    today = timezone.localdate()
    dates = sorted({today, *as_of})
    warmed = 0
    for user in User.objects.filter(is_active=True).select_related("council").order_by("pk"):
        options = programme_options(user)
        choices: list[ProgrammeChoice | None] = [None] if options is None else list(options)
        for choice in choices:
            if choice == NO_PROGRAMME:
                continue
            with programme_use(choice):
                _warm_user(user, dates, today)
        warmed += 1
    return warmed
