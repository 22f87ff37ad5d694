"""Payment designs: how a cohort's referrals earn outcome payments (one module each).

``base`` says what a design computes, ``registry`` lists the designs a contract may name;
docs/adding-a-payment-design.md says how to add one.
"""
