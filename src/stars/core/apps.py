from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stars.core"
    label = "core"
    verbose_name = "STARS core"
