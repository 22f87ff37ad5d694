from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "stars.notifications"
    label = "notifications"
    verbose_name = "STARS notifications"
