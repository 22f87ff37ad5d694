"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.governance import views

urlpatterns = [
    path("retention/", views.governance_retention, name="governance_retention"),
    path("disposals/", views.governance_disposals, name="governance_disposals"),
]
