"""Forms of the referral pipeline: short, each asking only what the step needs."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from stars.core.forms import GovukForm, date_field
from stars.domain.calendar import long_date
from stars.domain.pipeline import (
    NAME_MISSING,
    NEED_LABELS,
    NEEDS_UNKNOWN,
    PAPER_LABELS,
    PAPERS_UNKNOWN,
    WHY_NOW_MAX_LENGTH,
)
from stars.referrals.models import Child, ConsentOutcome, Decision, Funding, MatchOutcome

NEEDS = [(k, v[0].upper() + v[1:]) for k, v in NEED_LABELS.items()]
PAPERS = [(k, v.capitalize()) for k, v in PAPER_LABELS.items()]


class EnquiryForm(GovukForm):
    council = forms.ChoiceField(label="Council", choices=())
    cohort = forms.ChoiceField(label="Cohort", choices=())
    given_name = forms.CharField(
        label="Child's first name",
        max_length=100,
        error_messages={"required": NAME_MISSING["given_name"]},
    )
    family_name = forms.CharField(
        label="Child's last name",
        max_length=100,
        error_messages={"required": NAME_MISSING["family_name"]},
    )
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
        error_messages={"invalid_choice": NEEDS_UNKNOWN},
    )
    why_now = forms.CharField(
        label="Why now?", widget=forms.Textarea, required=False, max_length=WHY_NOW_MAX_LENGTH
    )
    papers = forms.MultipleChoiceField(
        label="Papers received",
        choices=PAPERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": PAPERS_UNKNOWN},
    )
    outside_criteria = forms.BooleanField(
        label="Record although the child is outside the cohort's criteria "
        "(for example, for guaranteed funding)",
        required=False,
    )

    def __init__(  # type: ignore[no-untyped-def]
        self,
        *args,
        councils,
        cohorts,
        alike: Sequence[Child] = (),
        hidden: int = 0,
        asked: bool = False,
        **kwargs,
    ):
        """``alike``: the council's children with this name and date of birth; the SPOC
        then says whether the enquiry is for one of them (required once ``asked``).
        ``hidden``: how many more there are that the SPOC may not see (restricted): the SPOC
        may then stop and ask an administrator."""
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = councils
        self.fields["cohort"].choices = [("", "Select a cohort"), *cohorts]
        self.fields["cohort"].error_messages["required"] = "Select the cohort"
        if len(councils) == 1:
            self.fields["council"].initial = councils[0][0]
        if alike or hidden:
            ask = [(ASK_ADMIN, "It may be: I will ask an administrator (nothing is recorded)")]
            self.fields[SAME_CHILD] = forms.ChoiceField(
                label="Is this enquiry for a child already recorded?",
                widget=forms.RadioSelect,
                required=asked,
                choices=[
                    *((c.child_ref, f"Yes: {child_described(c)}") for c in alike),
                    *(ask if hidden else []),
                    (NEW_CHILD, "No, this is a different child"),
                ],
                error_messages={"required": "Select whether this is a child already recorded"},
            )
            self.order_fields([SAME_CHILD])


SAME_CHILD = "same_child"
NEW_CHILD = "new"
ASK_ADMIN = "ask"  # a possible duplicate the user may not see: an administrator checks


def child_described(child: Child) -> str:
    """A child already recorded, as the SPOC recognises them: name, birth, their enquiries."""
    born = child.date_of_birth
    enquiries = sorted(child.enquiries.all(), key=lambda e: (e.enquiry_date, e.enquiry_id))
    seen = "; ".join(f"enquiry {e.enquiry_id} of {long_date(e.enquiry_date)}" for e in enquiries)
    return (
        f"{child.given_name} {child.family_name}, born {long_date(born)}, "
        f"reference {child.child_ref}" + (f" ({seen})" if seen else "")
    )


class PapersForm(GovukForm):
    papers = forms.MultipleChoiceField(
        label="Papers received",
        choices=PAPERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision of the enquiry meeting",
        choices=[(v, label) for v, label in Decision.choices if v != Decision.PENDING],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the meeting's decision"},
    )
    decision_date = date_field("Date of the meeting")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea,
        help_text="Required for withdrawn, criteria not met (name the criterion) and other",
    )


class ConsentCallForm(GovukForm):
    call_date = date_field("Date of the call")
    spoke_to = forms.CharField(
        label="Who was spoken to", help_text="Their role, for example: mother"
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=ConsentOutcome.choices, widget=forms.RadioSelect
    )


class AcceptForm(GovukForm):
    referral_date = date_field("Date accepted", "Support and the counting of weeks start here")
    cohort = forms.ChoiceField(label="Cohort of the referral", choices=())
    funding = forms.ChoiceField(label="Funding", choices=Funding.choices, widget=forms.RadioSelect)
    key_worker = forms.ChoiceField(label="Key worker", choices=(), required=False)

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, cohorts, key_workers, period_hint: str | None = None, **kwargs
    ):
        """``period_hint``: the referral period's end the date must keep to, once it has
        ended (``stars.domain.pipeline.acceptance_period_hint``), added to the date's hint."""
        super().__init__(*args, **kwargs)
        if period_hint:
            date = self.fields["referral_date"]
            date.help_text = f"{date.help_text}. {period_hint}"
        self.fields["cohort"].choices = cohorts
        self.fields["key_worker"].choices = [("", "Not yet allocated"), *key_workers]


class ApproveForm(GovukForm):
    approved_on = date_field("Date approved")


class ProfileForm(GovukForm):
    known_as = forms.CharField(
        label="Known as",
        max_length=60,
        help_text="First or chosen name only: no surname, no photo, no address",
        error_messages={"required": "Enter the name the child is known by"},
    )
    enjoys = forms.CharField(label="What I enjoy", widget=forms.Textarea)
    good_at = forms.CharField(label="What I am good at", widget=forms.Textarea)
    what_helps = forms.CharField(label="What helps me", widget=forms.Textarea)
    hopes = forms.CharField(label="What I hope for", widget=forms.Textarea)


class MatchForm(GovukForm):
    agency = forms.CharField(label="Fostering agency", max_length=200)
    household_ref = forms.CharField(label="Carer household reference", max_length=60)
    shared_on = date_field("Date the profile was shared")
    outcome = forms.ChoiceField(
        label="Outcome so far",
        choices=MatchOutcome.choices,
        widget=forms.RadioSelect,
        initial="shared",
    )


class RereferForm(GovukForm):
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
