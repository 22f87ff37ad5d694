from django.apps import AppConfig


class SufficiencyConfig(AppConfig):
    name = "stars.sufficiency"
    label = "sufficiency"
