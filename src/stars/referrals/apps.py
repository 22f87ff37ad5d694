from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "stars.referrals"
    label = "referrals"
