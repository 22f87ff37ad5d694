"""Forms of the referral pipeline: short, each asking only what the step needs."""

from __future__ import annotations

from django import forms

from stars.core.forms import date_field
from stars.domain.pipeline import PAPER_LABELS
from stars.referrals.models import ConsentOutcome, Decision, Funding, MatchOutcome

NEEDS = [
    ("missing_episodes", "Missing episodes"),
    ("placement_breakdowns", "Multiple placement breakdowns"),
    ("domestic_abuse", "Domestic abuse"),
    ("poor_attendance", "Poor school attendance"),
    ("sen", "Special educational needs"),
    ("substance_misuse", "Substance misuse"),
    ("adhd", "ADHD"),
    ("offending", "Offending"),
    ("gangs", "Gang involvement"),
    ("cse", "Child sexual exploitation"),
    ("sexualised_behaviour", "Sexualised behaviour"),
    ("arson", "Arson"),
    ("poverty", "Poverty"),
    ("semh", "Social, emotional and mental health needs"),
    ("carer_mental_health", "Parent or carer mental health"),
]
PAPERS = [(k, v.capitalize()) for k, v in PAPER_LABELS.items()]


class EnquiryForm(forms.Form):
    council = forms.ChoiceField(label="Council", choices=())
    cohort = forms.ChoiceField(label="Cohort", choices=())
    given_name = forms.CharField(label="Child's first name", max_length=100)
    family_name = forms.CharField(label="Child's last name", max_length=100)
    date_of_birth = date_field("Date of birth")
    enquiry_date = date_field("Enquiry date", "The day the social worker's enquiry reached you")
    social_worker = forms.CharField(label="Social worker", max_length=200, required=False)
    team = forms.CharField(label="Team", max_length=200, required=False)
    needs = forms.MultipleChoiceField(
        label="Needs",
        choices=NEEDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that describe the child. These describe; they are not all gates.",
    )
    why_now = forms.CharField(label="Why now?", widget=forms.Textarea, required=False)
    papers = forms.MultipleChoiceField(
        label="Papers received",
        choices=PAPERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outside_criteria = forms.BooleanField(
        label="Record although the child is outside the cohort's criteria "
        "(for example, for guaranteed funding)",
        required=False,
    )

    def __init__(self, *args, councils, cohorts, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = councils
        self.fields["cohort"].choices = [("", "Choose a cohort"), *cohorts]
        self.fields["cohort"].error_messages["required"] = "Choose the cohort"
        if len(councils) == 1:
            self.fields["council"].initial = councils[0][0]


class PapersForm(forms.Form):
    papers = forms.MultipleChoiceField(
        label="Papers received",
        choices=PAPERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision of the enquiry meeting",
        choices=[(v, label) for v, label in Decision.choices if v != Decision.PENDING],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the meeting's decision"},
    )
    decision_date = date_field("Date of the meeting")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea,
        help_text="Required for withdrawn, criteria not met (name the criterion) and other",
    )


class ConsentCallForm(forms.Form):
    call_date = date_field("Date of the call")
    spoke_to = forms.CharField(
        label="Who was spoken to", help_text="Their role, for example: mother"
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=ConsentOutcome.choices, widget=forms.RadioSelect
    )


class AcceptForm(forms.Form):
    referral_date = date_field("Date accepted", "Support and the counting of weeks start here")
    cohort = forms.ChoiceField(label="Cohort of the referral", choices=())
    funding = forms.ChoiceField(label="Funding", choices=Funding.choices, widget=forms.RadioSelect)
    key_worker = forms.ChoiceField(label="Key worker", choices=(), required=False)

    def __init__(self, *args, cohorts, key_workers, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = cohorts
        self.fields["key_worker"].choices = [("", "Not yet allocated"), *key_workers]


class ApproveForm(forms.Form):
    approved_on = date_field("Date approved")


class ProfileForm(forms.Form):
    known_as = forms.CharField(
        label="Known as",
        max_length=60,
        help_text="First or chosen name only: no surname, no photo, no address",
    )
    enjoys = forms.CharField(label="What I enjoy", widget=forms.Textarea)
    good_at = forms.CharField(label="What I am good at", widget=forms.Textarea)
    what_helps = forms.CharField(label="What helps me", widget=forms.Textarea)
    hopes = forms.CharField(label="What I hope for", widget=forms.Textarea)


class MatchForm(forms.Form):
    agency = forms.CharField(label="Fostering agency", max_length=200)
    household_ref = forms.CharField(label="Carer household reference", max_length=60)
    shared_on = date_field("Date the profile was shared")
    outcome = forms.ChoiceField(
        label="Outcome so far",
        choices=MatchOutcome.choices,
        widget=forms.RadioSelect,
        initial="shared",
    )


class RereferForm(forms.Form):
    referral_date = date_field("Date of the re-referral")
    cohort = forms.ChoiceField(label="New cohort", choices=())
    reason = forms.ChoiceField(
        label="Reason",
        widget=forms.RadioSelect,
        choices=[
            ("cohort_move", "Cohort move (the child's situation changed)"),
            ("extension", "Extension after graduation"),
        ],
    )

    def __init__(self, *args, cohorts, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = cohorts


PAPERS_DICT = dict(PAPERS)
