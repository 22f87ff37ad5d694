"""Information governance: the retention schedule and its review, disposal with a second
administrator's approval, subject access, correction and restriction, the register of
data-sharing agreements and the monthly access review."""
