"""The codes of the tracker's records (docs/tracker-format.md) and their one set of labels.

Codes are lower-case on output; an enquiry's decision, a referral's funding, its status
and, when it closed early, the reason. Every page, report and export shows a code by its
label here (``label``); the record models' choices take theirs from here too.
"""

from __future__ import annotations

DECISIONS = (
    "progressed",
    "pending",
    "withdrawn",
    "criteria_not_met",
    "waiting_list",
    "not_progressed_other",
)
FUNDINGS = ("sib", "guaranteed")
STATUSES = ("graduated", "closed_early", "gf_complete", "live")
CLOSED = ("closed_early", "graduated", "gf_complete")  # the statuses of an ended referral
# reasons for closing early, unless the contract lists its own (programme.closure_reasons)
CLOSURE_REASONS = (
    "consent_withdrawn",
    "placement_breakdown",
    "care_plan_change",
    "entered_care",
    "increased_risk",
    "other",
)

# the interventions a case may record, as (code, label), unless the contract lists its own
# ([[intervention]]: docs/tracker-format.md)
INTERVENTIONS = (
    ("parenting_programme", "Parenting programme"),
    ("support_group", "Support group"),
    ("peer_mentoring", "Peer mentoring"),
    ("therapy", "Therapy"),
    ("other", "Other"),
)

LABELS = {
    # decisions
    "pending": "Pending",
    "progressed": "Progressed to referral",
    "withdrawn": "Withdrawn by the council",
    "criteria_not_met": "Criteria not met",
    "waiting_list": "Criteria met: waiting for a place or match",
    "not_progressed_other": "Not progressed (other)",
    # fundings
    "sib": "Outcomes (social impact bond)",
    "guaranteed": "Guaranteed funding",
    # statuses
    "live": "Live",
    "graduated": "Graduated",
    "closed_early": "Closed early",
    "gf_complete": "Guaranteed-funding period complete",
    # closure reasons
    "consent_withdrawn": "Consent withdrawn",
    "placement_breakdown": "Placement breakdown",
    "care_plan_change": "Care plan change",
    "entered_care": "Entered care",
    "increased_risk": "Increased risk",
    "other": "Other",
    # interventions: the default list's, and those cases recorded before a contract listed
    # its own, so a record keeps its label once its contract's list no longer has it
    **dict(INTERVENTIONS),
    "team_parenting": "Team Parenting",
    "triple_p": "Safer Stronger Families with Triple P",
    "attune": "ATTUNE course for carers",
}


def label(code: str) -> str:
    """A code's label; a code not listed (a contract's own closure reason or intervention)
    reads as words."""
    return LABELS.get(code) or code.replace("_", " ").capitalize()
