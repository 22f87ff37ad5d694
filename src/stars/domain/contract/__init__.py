"""An outcomes contract's terms as data: councils, cohorts, rates, eligibility, targets."""
