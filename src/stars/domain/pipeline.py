"""The referral pipeline's rules: working days, the next step of an enquiry, and targets.

Pure functions: the caller passes today's date and the bank holidays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from stars.domain.calendar import add_months, long_date
from stars.domain.contract.terms import Contract

PAPERS = ("care_plan", "education_plan", "chronology")
PAPER_LABELS = {
    "care_plan": "care plan or looked-after review",
    "education_plan": "education plan",
    "chronology": "chronology",
}
NEED_LABELS = {
    "missing_episodes": "missing episodes",
    "placement_breakdowns": "multiple placement breakdowns",
    "domestic_abuse": "domestic abuse",
    "poor_attendance": "poor school attendance",
    "sen": "special educational needs",
    "substance_misuse": "substance misuse",
    "adhd": "ADHD",
    "offending": "offending",
    "gangs": "gang involvement",
    "cse": "child sexual exploitation",
    "sexualised_behaviour": "sexualised behaviour",
    "arson": "arson",
    "poverty": "poverty",
    "semh": "social, emotional and mental health needs",
    "carer_mental_health": "parent or carer mental health",
}
# A date of birth further back than this before the enquiry date is a typing error.
OLDEST_CHILD_YEARS = 25
WHY_NOW_MAX_LENGTH = 5000
NAME_MISSING = {
    "given_name": "Enter the child's first name",
    "family_name": "Enter the child's last name",
}
NEEDS_UNKNOWN = "Select needs from the list"
PAPERS_UNKNOWN = "Select papers received from the list"


def enquiry_problems(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    enquiry_date: dt.date,
    needs: Collection[str],
    papers: Collection[str],
    programme_start: dt.date,
    today: dt.date,
) -> list[tuple[str, str]]:
    """What is wrong with a new enquiry, as (field, message) in the form's order; [] if nothing.

    The one set of rules for every way an enquiry arrives (the SPOC's form, the API).
    """
    problems: list[tuple[str, str]] = []
    for name, value in (("given_name", given_name), ("family_name", family_name)):
        if not value.strip():
            problems.append((name, NAME_MISSING[name]))
    if date_of_birth > enquiry_date:
        problems.append(("date_of_birth", "Date of birth must be on or before the enquiry date"))
    elif enquiry_date.year > OLDEST_CHILD_YEARS and date_of_birth < add_months(
        enquiry_date, -12 * OLDEST_CHILD_YEARS
    ):
        problems.append(
            (
                "date_of_birth",
                f"Date of birth must be no more than {OLDEST_CHILD_YEARS} years "
                "before the enquiry date",
            )
        )
    if enquiry_date > today:
        problems.append(("enquiry_date", "Enquiry date must be today or in the past"))
    elif enquiry_date < programme_start:
        problems.append(
            (
                "enquiry_date",
                f"Enquiry date must be on or after {long_date(programme_start)}, "
                "when the programme started",
            )
        )
    if any(n not in NEED_LABELS for n in needs):
        problems.append(("needs", NEEDS_UNKNOWN))
    if any(p not in PAPER_LABELS for p in papers):
        problems.append(("papers", PAPERS_UNKNOWN))
    return problems


def referral_period_problem(referral_date: dt.date, contract: Contract) -> str | None:
    """Why a referral dated ``referral_date`` cannot be made under ``contract`` (a predicate
    for the date field: "Date accepted must be ..."); None when it can
    (``Contract.referral_period_open_on``)."""
    if contract.referral_period_open_on(referral_date):
        return None
    end = long_date(contract.referral_period_end)
    return (
        f"must be on or before {end}, when the contract's referral period ended: "
        "the contract pays only for referrals made within it "
        "(a contract variation can extend the period)"
    )


def enquiry_period_warning(enquiry_date: dt.date, contract: Contract) -> str | None:
    """The warning an enquiry dated after the contract's referral period shows: it is
    recorded, but it cannot become a referral (and so earns no outcome payment); None for any
    other enquiry."""
    if contract.referral_period_open_on(enquiry_date):
        return None
    end = long_date(contract.referral_period_end)
    return (
        f"This enquiry is dated after {end}, when the contract's referral period ended: "
        "it cannot be accepted as a referral, so it earns no outcome payment, "
        "unless a contract variation extends the period"
    )


def acceptance_period_hint(enquiry_date: dt.date, today: dt.date, contract: Contract) -> str | None:
    """For an enquiry within the referral period looked at after the period has ended: the
    date its acceptance must keep to; None while the period is open (or for an enquiry after
    it, which :func:`enquiry_period_warning` covers)."""
    if not contract.referral_period_open_on(enquiry_date) or contract.referral_period_open_on(
        today
    ):
        return None
    end = long_date(contract.referral_period_end)
    return (
        f"The contract's referral period ended on {end}: a referral from this enquiry must be "
        "dated on or before it, as must the decision it follows (a contract variation can "
        "extend the period)"
    )


def acceptance_date_offered(today: dt.date, contract: Contract) -> dt.date | None:
    """The date the accept form offers: today while the referral period is open; none once
    it has ended (today would be refused: :func:`referral_period_problem`), the field's hint
    then naming the last day (:func:`acceptance_period_hint`)."""
    return today if contract.referral_period_open_on(today) else None


def papers_after(
    current: Collection[str], shown: Collection[str] | None, ticked: Collection[str]
) -> list[str]:
    """The papers received once a form is saved: ``ticked`` on a form that showed ``shown``
    applies what was ticked and unticked there to the papers as they are now (``current``),
    so a paper someone else recorded meanwhile is kept; without ``shown``, ``ticked``."""
    if shown is None:
        return sorted(set(ticked))
    added, removed = set(ticked) - set(shown), set(shown) - set(ticked)
    return sorted((set(current) | added) - removed)


PROFILE_FIELDS = ("known_as", "enjoys", "good_at", "what_helps", "hopes")


def profile_version(profile: Mapping[str, str] | None) -> str:
    """A short fingerprint of a child's profile as saved (empty when none is): a form carries
    the one it showed, so a save over someone else's later version is noticed."""
    if profile is None:
        return ""
    text = "\x1f".join(profile.get(f, "") for f in PROFILE_FIELDS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def name_key(given_name: str, family_name: str) -> tuple[str, str]:
    """A child's name as compared when looking for the same child entered twice: case and
    spaces do not count ("Mary Ann  SMITH" is "maryann", "smith")."""
    return ("".join(given_name.split()).casefold(), "".join(family_name.split()).casefold())


APOSTROPHES = "'\u2019\u2018\u02bc`"  # ' as typed on a keyboard, and as phones type it: ’


def _letter_forms() -> dict[str, str]:
    """Each unaccented letter with every accented Latin letter written on it, in both cases:
    "e" is "eEèÈéÉêÊëË..." (what a name typed without its accents may stand for)."""
    forms: dict[str, set[str]] = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = unicodedata.normalize("NFKD", ch)[0].lower()
        if base.isascii() and base.isalpha():
            forms.setdefault(base, {base, base.upper()}).add(ch)
    for ch, base in (("ø", "o"), ("Ø", "o"), ("ł", "l"), ("Ł", "l"), ("đ", "d"), ("Đ", "d")):
        forms[base].add(ch)
    return {base: "".join(sorted(chars)) for base, chars in forms.items()}


LETTER_FORMS = _letter_forms()


def name_pattern(word: str) -> str:
    """A regular expression finding ``word`` in a name whatever its case, its accents and
    its apostrophes: "zoe" finds Zoë, "siobhan" Siobhán, "o'neill" typed on a phone
    (O’Neill) finds O'Neill and the other way round. Written for both SQLite (Python's
    ``re``) and PostgreSQL: only character classes of letters and escaped characters."""
    out = []
    for ch in word:
        base = unicodedata.normalize("NFKD", ch)[0].lower() if ch.isalpha() else ch
        if base in LETTER_FORMS:
            out.append(f"[{LETTER_FORMS[base]}]")
        elif ch in APOSTROPHES:
            out.append(f"[{APOSTROPHES}]")
        elif ch.isalnum():
            cased = len(ch.upper()) == 1 and ch.lower() != ch.upper()  # not ß: SS
            out.append(f"[{ch.lower()}{ch.upper()}]" if cased else ch)
        else:
            out.append(re.escape(ch))
    return "".join(out)


def working_days_between(start: dt.date, end: dt.date, holidays: Collection[dt.date]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start).

    Saturdays, Sundays and the given bank holidays are not working days.
    """
    if end <= start:
        return 0
    days = (end - start).days
    full_weeks, extra = divmod(days, 7)
    count = full_weeks * 5
    for i in range(1, extra + 1):
        if (start + dt.timedelta(days=full_weeks * 7 + i)).weekday() < 5:
            count += 1
    count -= sum(1 for h in holidays if start < h <= end and h.weekday() < 5)
    return count


@dataclass(frozen=True)
class EnquiryState:
    enquiry_date: dt.date
    decision: str
    papers: frozenset[str]
    consent_required: bool
    consent_outcome: str | None  # "agreed", "declined", "no_answer" or None
    accepted: bool
    last_activity: dt.date
    waiting_for_match: bool = False
    # dated after the contract's referral period (``Contract.referral_period_open_on``): it
    # can never become a referral, so it is not chased as stuck, only closed
    after_referral_period: bool = False

    @property
    def open(self) -> bool:
        """Not a referral and not closed at its meeting: pending, progressed or waiting."""
        return not self.accepted and self.decision in _OPEN

    @property
    def consent_call_closed(self) -> bool:
        """A call the contract requires that is no longer owed: the enquiry closed (or was
        accepted) without one agreed, so its page shows no pending call."""
        return self.consent_required and not self.open and self.consent_outcome != "agreed"


@dataclass(frozen=True)
class NextStep:
    step: str
    owner: str
    action: str = ""  # the form that takes the step: papers, decide, consent, accept, match

    @property
    def council_side(self) -> bool:
        """Owed by the council (its SPOC chases papers and matches), not the provider."""
        return self.owner in COUNCIL_OWNERS

    @property
    def provider_side(self) -> bool:
        return self.owner in PROVIDER_OWNERS


# who owes a match: the council's single point of contact (as the role is named) and agencies
SPOC_AND_AGENCIES = "council single point of contact and fostering agencies"
COUNCIL_OWNERS = frozenset({"social worker", SPOC_AND_AGENCIES})
PROVIDER_OWNERS = frozenset({"provider manager", "provider"})
_OPEN = frozenset({"pending", "progressed", "waiting_list"})
# the step of an open enquiry dated after the referral period: the meeting's decision that
# closes it (withdrawn, criteria not met or not progressed), the one way an enquiry closes
CLOSE_AFTER_PERIOD = NextStep(
    "close it: dated after the referral period, it cannot become a referral",
    "provider manager",
    "decide",
)


def next_step(state: EnquiryState) -> NextStep:
    """What must happen next to an enquiry, and who owes it."""
    if state.accepted:
        return NextStep("none: accepted as a referral", "")
    if state.after_referral_period and state.decision in _OPEN:
        return CLOSE_AFTER_PERIOD
    if state.decision == "waiting_list":
        return NextStep("find a foster placement or place (match)", SPOC_AND_AGENCIES, "match")
    if state.decision not in ("pending", "progressed"):
        return NextStep("none: closed at the enquiry meeting", "")
    missing = [PAPER_LABELS[p] for p in PAPERS if p not in state.papers]
    if state.decision == "pending":
        if missing:
            return NextStep("send papers: " + ", ".join(missing), "social worker", "papers")
        return NextStep(
            "hold the enquiry meeting and record its decision", "provider manager", "decide"
        )
    if state.consent_required and state.consent_outcome != "agreed":
        if state.consent_outcome == "declined":
            return NextStep("consent declined: record not progressed", "provider manager", "decide")
        return NextStep("make the consent call to the parent or carer", "provider", "consent")
    return NextStep("accept the referral", "provider manager", "accept")


def activity_after(previous: dt.date | None, dated: dt.date, recorded: dt.date) -> dt.date:
    """An enquiry's last activity once a step dated ``dated`` is recorded on ``recorded``: the
    later of the two, and never earlier than the activity before it. A decision recorded
    today but dated last month is today's work: dated alone, it would move the last
    activity back a month and make the enquiry look stuck (or longer stuck) than it is."""
    return max(recorded, dated, previous or dated)


def is_stuck(
    state: EnquiryState, today: dt.date, holidays: Collection[dt.date], limit: int
) -> bool:
    """An open enquiry with no activity for more than ``limit`` working days; never one dated
    after the referral period, which can only be closed (:data:`CLOSE_AFTER_PERIOD`), not
    chased."""
    if not state.open or state.after_referral_period:
        return False
    return working_days_between(state.last_activity, today, holidays) > limit


def stuck_before(today: dt.date, holidays: Collection[dt.date], limit: int) -> dt.date:
    """The first last-activity date that is not stuck today: an open enquiry whose last
    activity is before it has had more than ``limit`` working days without any
    (:func:`is_stuck`), one on or after it has not. ``holidays`` must cover the days from
    it to today."""
    day = today
    while working_days_between(day - dt.timedelta(days=1), today, holidays) <= limit:
        day -= dt.timedelta(days=1)
    return day


# -- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetLine:
    label: str
    minimum: int
    actual: int

    @property
    def shortfall(self) -> int:
        return max(self.minimum - self.actual, 0)

    @property
    def share(self) -> Decimal | None:
        if self.minimum == 0:
            return None
        return (Decimal(self.actual) / Decimal(self.minimum)).quantize(Decimal("0.0001"))


def penalty(shortfall: int, per_referral: Decimal) -> Decimal:
    return per_referral * shortfall


@dataclass(frozen=True)
class ShortfallPenalty:
    """A council's shortfall penalty as of a date. It can be due only once the referral
    period has ended (its minimum is of the referrals made in the whole period); until then
    it is projected: the shortfall of the referrals the period would end with if the pace
    since the programme's start continues (whole referrals), at the contract's rate."""

    amount: Decimal
    shortfall: int  # the shortfall it is for: at the end, or projected
    due: bool  # False: a projection, not an amount owed


def shortfall_penalty(
    line: TargetLine, per_referral: Decimal, start: dt.date, period_end: dt.date, as_of: dt.date
) -> ShortfallPenalty:
    """The penalty of a council's target line as of ``as_of``: due after ``period_end`` (the
    last day of the referral period), projected to it before (:class:`ShortfallPenalty`)."""
    if as_of > period_end:
        return ShortfallPenalty(penalty(line.shortfall, per_referral), line.shortfall, True)
    projected = int(projection_to(line.actual, start, period_end + dt.timedelta(days=1), as_of))
    short = max(line.minimum - projected, 0)
    return ShortfallPenalty(penalty(short, per_referral), short, False)


def projection_to(
    actual: int, period_start: dt.date, period_end: dt.date, today: dt.date
) -> Decimal:
    """Referrals by ``period_end`` if the rate since ``period_start`` carries on (exact)."""
    if today <= period_start:
        return Decimal(actual)
    elapsed = (min(today, period_end) - period_start).days
    total = (period_end - period_start).days
    if elapsed <= 0 or total <= 0:
        return Decimal(actual)
    return Decimal(actual) * Decimal(total) / Decimal(elapsed)


def funnel(decisions: Mapping[str, int], accepted: int) -> list[tuple[str, int]]:
    """Enquiries → decided → progressed → accepted referrals."""
    total = sum(decisions.values())
    decided = total - decisions.get("pending", 0)
    return [
        ("enquiries", total),
        ("decided", decided),
        ("progressed", decisions.get("progressed", 0)),
        ("accepted", accepted),
    ]
