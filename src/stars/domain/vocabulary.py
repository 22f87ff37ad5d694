"""The codes of the tracker's records (tracker-format.md), one home for each list.

Codes are lower-case on output; an enquiry's decision, a referral's funding, its status
and, when it closed early, the reason.
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
