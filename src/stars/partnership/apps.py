from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "stars.partnership"
    label = "partnership"
