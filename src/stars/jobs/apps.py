from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "stars.jobs"
    label = "jobs"
    verbose_name = "STARS background jobs"
