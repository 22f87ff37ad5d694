from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "stars.reports"
    label = "reports"
