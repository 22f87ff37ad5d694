from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "stars.finance"
    label = "finance"
