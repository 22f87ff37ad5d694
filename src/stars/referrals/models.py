"""Children, enquiries and accepted referrals: the records the tracker import creates."""

from __future__ import annotations

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from stars.core.programmes import ProgrammeManager
from stars.domain.vocabulary import label
from stars.partnership.models import Council, Programme, programme_default


class Decision(models.TextChoices):
    PENDING = "pending", label("pending")
    PROGRESSED = "progressed", label("progressed")
    WITHDRAWN = "withdrawn", label("withdrawn")
    CRITERIA_NOT_MET = "criteria_not_met", label("criteria_not_met")
    WAITING_LIST = "waiting_list", label("waiting_list")
    NOT_PROGRESSED_OTHER = "not_progressed_other", label("not_progressed_other")


# An enquiry is open while one of these is its decision and it was not accepted as a referral.
OPEN_DECISIONS = (Decision.PENDING, Decision.PROGRESSED, Decision.WAITING_LIST)
# The same as the index's condition: "= ANY(ARRAY[...])", as Django writes an IN there,
# would not be recognised by PostgreSQL as what a query's IN asks for.
OPEN_ANY = reduce(operator.or_, (models.Q(decision=d) for d in OPEN_DECISIONS))


class Funding(models.TextChoices):
    SIB = "sib", label("sib")
    GUARANTEED = "guaranteed", label("guaranteed")


class Status(models.TextChoices):
    LIVE = "live", label("live")
    GRADUATED = "graduated", label("graduated")
    CLOSED_EARLY = "closed_early", label("closed_early")
    GF_COMPLETE = "gf_complete", label("gf_complete")


# The history tables' copies of these foreign keys are not indexed: every query of a
# record's history goes by its id (and date), and the programme and the user who made the
# change stay indexed (the audit page filters on them). Each index would otherwise be
# built again on every import of a tracker (benchmarks/README.md, "import-tracker").
UNQUERIED_HISTORY_INDEXES = ["child", "council", "enquiry", "gf_approved_by", "key_worker"]


class Child(models.Model):
    """A child known to the programme. ``child_ref`` is pseudonymous; names are optional."""

    programme = models.ForeignKey(
        Programme,
        null=True,
        default=programme_default,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,  # the unique constraint's index (programme, …) serves it
    )
    child_ref = models.CharField(max_length=40)
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="children")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    restricted = models.BooleanField(
        default=False,
        help_text="processing restricted: the records are seen by administrators only and "
        "left out of exports",
    )
    history = HistoricalRecords(no_db_index=UNQUERIED_HISTORY_INDEXES)
    objects = ProgrammeManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "child_ref"], name="child_ref_unique_in_programme"
            )
        ]
        indexes = [  # the few restricted children, which every scoped list leaves out
            models.Index(
                fields=["id"], condition=models.Q(restricted=True), name="child_restricted"
            )
        ]

    def __str__(self) -> str:
        return self.child_ref


class Enquiry(models.Model):
    programme = models.ForeignKey(
        Programme,
        null=True,
        default=programme_default,
        on_delete=models.PROTECT,
        related_name="enquiries",
        db_index=False,  # the unique constraint's index (programme, …) serves it
    )
    enquiry_id = models.CharField(max_length=40)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="enquiries")
    council = models.ForeignKey(  # the (programme, council, …) index below serves it
        Council, on_delete=models.PROTECT, related_name="enquiries", db_index=False
    )
    cohort = models.CharField(max_length=8)
    enquiry_date = models.DateField()
    decision = models.CharField(max_length=32, choices=Decision.choices, default=Decision.PENDING)
    decision_date = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    social_worker = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=200, blank=True)
    needs = models.JSONField(default=list, blank=True)
    papers = models.JSONField(default=list, blank=True)
    why_now = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity = models.DateField(
        null=True, blank=True, help_text="date of the latest step; drives the stuck flag"
    )
    gf_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="commissioner who approved guaranteed funding",
    )
    gf_approved_on = models.DateField(null=True, blank=True)
    accepted = models.BooleanField(
        default=False,
        editable=False,
        help_text="accepted as a referral (a referral was made from it): what the lists of "
        "open enquiries filter on, instead of looking for it among every referral; kept by "
        "the two places that make referrals from enquiries (stars.referrals.services."
        "referral_accept and the tracker import, through enquiries_accepted_mark)",
    )
    history = HistoricalRecords(no_db_index=UNQUERIED_HISTORY_INDEXES, excluded_fields=["accepted"])
    objects = ProgrammeManager()

    class Meta:
        ordering = ["enquiry_date", "enquiry_id"]
        indexes = [
            # by programme, council and decision, holding every column the evaluation
            # report counts them by: the report's counts read this index alone, in its
            # order, with no sort and no visit to the rows (stars.tracker.selectors.
            # report_inputs)
            models.Index(
                fields=[
                    "programme",
                    "council",
                    "decision",
                    "cohort",
                    "enquiry_date",
                    "decision_date",
                ],
                name="enquiry_counts",
            ),
            models.Index(  # the open enquiries, in the lists' order: a few percent of all
                fields=["programme", "enquiry_date", "enquiry_id", "child"],
                condition=models.Q(accepted=False) & OPEN_ANY,
                name="enquiry_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(decision="pending") & models.Q(decision_date__isnull=True))
                | (~models.Q(decision="pending") & models.Q(decision_date__isnull=False)),
                name="decision_date_blank_exactly_when_pending",
            ),
            models.UniqueConstraint(
                fields=["programme", "enquiry_id"], name="enquiry_id_unique_in_programme"
            ),
        ]

    def __str__(self) -> str:
        return self.enquiry_id


class Referral(models.Model):
    programme = models.ForeignKey(
        Programme,
        null=True,
        default=programme_default,
        on_delete=models.PROTECT,
        related_name="referrals",
        db_index=False,  # the unique constraint's index (programme, …) serves it
    )
    referral_id = models.CharField(max_length=40)
    enquiry = models.ForeignKey(
        Enquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    council = models.ForeignKey(  # the (council, …) index below serves it
        Council, on_delete=models.PROTECT, related_name="referrals", db_index=False
    )
    cohort = models.CharField(max_length=8)
    funding = models.CharField(max_length=16, choices=Funding.choices, default=Funding.SIB)
    referral_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LIVE)
    end_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=40, blank=True)
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
    )
    history = HistoricalRecords(no_db_index=UNQUERIED_HISTORY_INDEXES)
    objects = ProgrammeManager()

    class Meta:
        ordering = ["referral_date", "referral_id"]
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(  # the referral list's order, newest first (and its count)
                fields=["programme", "referral_date", "referral_id", "child"],
                name="referral_listed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="live") & models.Q(end_date__isnull=True))
                | (~models.Q(status="live") & models.Q(end_date__isnull=False)),
                name="end_date_blank_exactly_when_live",
            ),
            models.UniqueConstraint(
                fields=["programme", "referral_id"], name="referral_id_unique_in_programme"
            ),
        ]

    def __str__(self) -> str:
        return self.referral_id


class ConsentOutcome(models.TextChoices):
    AGREED = "agreed", "Agreed to take part"
    DECLINED = "declined", "Declined"
    NO_ANSWER = "no_answer", "Could not be reached"


class ConsentCall(models.Model):
    """The call to the parent or carer: the last step before acceptance."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="consent_calls")
    call_date = models.DateField()
    spoke_to = models.CharField(max_length=200, help_text="who was spoken to (role, not name)")
    outcome = models.CharField(max_length=16, choices=ConsentOutcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["call_date", "id"]


class ChildProfile(models.Model):
    """A one-page, strengths-based profile to share with fostering agencies.

    No photo, no surname, no address: only what helps a carer say yes.
    """

    enquiry = models.OneToOneField(Enquiry, on_delete=models.CASCADE, related_name="profile")
    known_as = models.CharField(max_length=60, help_text="first name or chosen name only")
    enjoys = models.TextField()
    good_at = models.TextField()
    what_helps = models.TextField()
    hopes = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()


class MatchOutcome(models.TextChoices):
    SHARED = "shared", "Shared, waiting for a reply"
    INTERESTED = "interested", "Carer interested"
    DECLINED = "declined", "Declined"
    MATCHED = "matched", "Matched"


class MatchAttempt(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="matches")
    agency = models.CharField(max_length=200)
    household_ref = models.CharField(max_length=60, help_text="carer household reference")
    shared_on = models.DateField()
    outcome = models.CharField(
        max_length=16, choices=MatchOutcome.choices, default=MatchOutcome.SHARED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["shared_on", "id"]
