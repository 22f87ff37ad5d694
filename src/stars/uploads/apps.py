from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "stars.uploads"
    label = "uploads"
    verbose_name = "STARS uploads"
