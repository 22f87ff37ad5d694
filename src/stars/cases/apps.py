from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "stars.cases"
    label = "cases"
