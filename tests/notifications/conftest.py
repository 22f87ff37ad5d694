"""The finance fixtures (claims to submit, approve and dispute) for notification tests."""

from tests.finance.conftest import money_referrals  # noqa: F401 (a fixture)
