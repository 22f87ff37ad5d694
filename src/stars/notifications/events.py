"""The events a user can be told about, and who is told (by role, and council for a
council's records). Messages name records by id only: no child's name leaves STARS by email."""

from __future__ import annotations

EVENTS = {
    "claim_submitted": "A claim is submitted to your council for approval",
    "claim_approved": "A claim is approved",
    "claim_disputed": "A line of a claim is disputed",
    "referral_accepted": "An enquiry is accepted as a referral",
    "enquiry_stuck": "An enquiry is stuck (no step for too long)",
    "case_allocated": "A case is allocated or reallocated to you",
    "case_overdue": "A progress meeting, assessment review or attendance update is overdue",
}
