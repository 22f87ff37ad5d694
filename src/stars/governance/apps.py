from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "stars.governance"
    label = "governance"
