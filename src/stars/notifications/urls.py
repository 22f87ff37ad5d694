"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.notifications import views

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("choices/", views.notification_preferences, name="notification_preferences"),
    path("failed-emails/", views.notification_failures, name="notification_failures"),
]
