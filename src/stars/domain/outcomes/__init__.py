"""What each referral earned: windows, sustained weeks, payments, explanation, claims and
their reconciliation with the council's records."""
