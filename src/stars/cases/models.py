"""What happens on a case: outcome periods, phases, team, meetings, interventions, measures
of change (assessments, attendance, events, surveys) and the closure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from stars.domain.measures import BAND_LABELS, attendance_band, attendance_rate
from stars.referrals.models import Referral


class OutcomePeriod(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="periods")
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="exclusive; blank while it continues"
    )
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="period_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.start_date} to {self.end_date or 'now'}"


# -- the case record ----------------------------------------------------------------------


class Phase(models.TextChoices):
    PREPARATION = "preparation", "Preparation"
    STABILISATION = "stabilisation", "Stabilisation"
    CONSOLIDATION = "consolidation", "Consolidation"
    SUSTAINING = "sustaining", "Sustaining"


class CasePhase(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(max_length=16, choices=Phase.choices)
    start_date = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "start_date", "id"]


class TeamRole(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    SOCIAL_WORKER = "social_worker", "Social worker"
    EDUCATION_OFFICER = "education_officer", "Education officer"
    THERAPIST = "therapist", "Therapist"
    PEER_MENTOR = "peer_mentor", "Peer mentor"
    FOSTER_CARER = "foster_carer", "Foster carer"
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"


class TeamMember(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    name = models.CharField(max_length=200)
    added_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "role", "added_on", "id"]


class ProgressMeeting(models.Model):
    """A progress meeting (chaired as the contract's ``progress_meeting_chair`` says);
    attendees are recorded by role."""

    referral = models.ForeignKey(  # the (referral, date) index below serves it
        Referral, on_delete=models.CASCADE, related_name="meetings", db_index=False
    )
    date = models.DateField()
    attendees = models.JSONField(default=list, blank=True, help_text="TeamRole values")
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "date", "id"]
        indexes = [  # a case's latest meeting (the caseload's dates): one index entry
            models.Index(fields=["referral", "date"], name="meeting_latest")
        ]


class CaseDates(models.Model):
    """The dates a case's due items are counted from (``stars.domain.measures.due_items``):
    its latest progress meeting, assessment and attendance term start (none: nothing
    recorded yet, counted from the referral). Kept from those rows by
    ``stars.cases.record.case_dates_refresh`` wherever they are saved, so the caseload filters,
    counts and sorts by plain columns instead of looking up each case's latest rows."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, primary_key=True, related_name="case_dates"
    )
    last_meeting = models.DateField(null=True)
    last_assessment = models.DateField(null=True)
    last_term = models.DateField(null=True)


class MeetingAction(models.Model):
    meeting = models.ForeignKey(ProgressMeeting, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    owner = models.CharField(max_length=200)
    due_date = models.DateField()
    done = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_id", "due_date", "id"]


class Intervention(models.Model):
    """An intervention a case received: ``kind`` is one of the codes its contract lists
    (``Contract.interventions``), labelled by ``Contract.intervention_label``; a kind the
    contract no longer lists is kept as it was recorded."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(max_length=20)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="intervention_ends_after_it_starts",
            )
        ]


class Audience(models.TextChoices):
    YOUNG_PERSON = "young_person", "Young person"
    FAMILY = "family", "Family"


class Instrument(models.Model):
    """An outcome-measuring tool configured as data (its licensed wording is not shipped)."""

    name = models.CharField(max_length=200, unique=True)
    scale_min = models.PositiveSmallIntegerField()
    scale_max = models.PositiveSmallIntegerField()
    audience = models.CharField(max_length=16, choices=Audience.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="instrument_scale_max_above_min",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> str:
        """The scale as headings name it: "scale 1 to 10"."""
        return f"scale {self.scale_min} to {self.scale_max}"


class InstrumentArea(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "order"], name="area_order_unique"),
            models.UniqueConstraint(fields=["instrument", "name"], name="area_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    referral = models.ForeignKey(  # the (referral, date) index below serves it
        Referral, on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "instrument_id", "date", "id"]
        indexes = [  # a case's latest assessment (the caseload's dates): one index entry
            models.Index(fields=["referral", "date"], name="assessment_latest")
        ]


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    area = models.ForeignKey(InstrumentArea, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment_id", "area__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="one_score_per_area")
        ]


class AttendanceTerm(models.Model):
    """A school term's attendance: sessions are half days."""

    referral = models.ForeignKey(  # the (referral, start_date) index below serves it
        Referral, on_delete=models.CASCADE, related_name="attendance", db_index=False
    )
    term = models.CharField(max_length=40, help_text="for example: autumn 2023")
    start_date = models.DateField()
    possible_sessions = models.PositiveSmallIntegerField()
    attended_sessions = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "start_date", "id"]
        indexes = [  # a case's latest term (the caseload's dates): one index entry
            models.Index(fields=["referral", "start_date"], name="term_latest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attended_sessions__lte=models.F("possible_sessions")),
                name="attended_at_most_possible",
            )
        ]

    @property
    def rate(self) -> float | None:
        return attendance_rate(self.possible_sessions, self.attended_sessions)

    @property
    def band(self) -> str | None:
        return attendance_band(self.possible_sessions, self.attended_sessions)

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band or "", "No sessions possible")


class MeasureKind(models.TextChoices):
    OFFENCE = "offence", "Offence"
    CAUTION = "caution", "Caution"
    MISSING = "missing_episode", "Missing episode"
    EHCP = "ehcp_secured", "EHCP secured"
    DIAGNOSIS = "diagnosis_supported", "Diagnosis supported"
    ACTIVITY = "positive_activity", "Positive activity"


class MeasureEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    kind = models.CharField(max_length=24, choices=MeasureKind.choices)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "date", "id"]


class Respondent(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    PROFESSIONAL = "professional", "Professional"


class Question(models.TextChoices):
    EXPECTATIONS = "expectations_met", "The service met my expectations"
    COMMUNICATION = "communication", "Communication was good"
    STAFF = "staff", "Staff were helpful"
    COPE = "helped_to_cope", "The service helped me to cope"


FREQUENCY = [
    ("all", "All of the time"),
    ("most", "Most of the time"),
    ("some", "Some of the time"),
    ("never", "Never"),
]
AGREEMENT = [
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
]
ANSWERS = dict(FREQUENCY + AGREEMENT)


def answer_scale(respondent: str) -> list[tuple[str, str]]:
    """Each respondent answers on their own scale."""
    return AGREEMENT if respondent == Respondent.PROFESSIONAL else FREQUENCY


class ClosingSurvey(models.Model):
    """One answer of one respondent to one question of the survey at closure."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="surveys")
    respondent = models.CharField(max_length=16, choices=Respondent.choices)
    # a name or reference telling two respondents of one kind apart (two carers in a family)
    answered_by = models.CharField(max_length=100, blank=True)
    question = models.CharField(max_length=24, choices=Question.choices)
    answer = models.CharField(max_length=20)
    date = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "respondent", "question", "id"]

    @property
    def answer_label(self) -> str:
        return ANSWERS.get(self.answer, self.answer)

    @property
    def respondent_label(self) -> str:
        """ "Parent or carer", or "Parent or carer (Carer 2)" when a reference tells them apart."""
        label = self.get_respondent_display()
        return f"{label} ({self.answered_by})" if self.answered_by else label


class CaseClosure(models.Model):
    """Why and how a case ended, in the provider's words (the referral holds the status)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="closure")
    outcome = models.CharField(max_length=16)
    reason = models.CharField(max_length=40, blank=True)
    narrative = models.TextField(blank=True)
    moved_to = models.ForeignKey(
        Referral,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moved_from",
        help_text="the re-referral in another cohort, for a cohort move",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()
