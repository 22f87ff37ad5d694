"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.governance import views

urlpatterns = [
    path("", views.governance_home, name="governance_home"),
    path("retention/", views.governance_retention, name="governance_retention"),
    path("disposals/", views.governance_disposals, name="governance_disposals"),
    path("subject-access/", views.governance_subject_access, name="governance_subject_access"),
    path("correct/", views.governance_correct, name="governance_correct"),
    path("restrict/", views.governance_restrict, name="governance_restrict"),
    path("agreements/", views.governance_agreements, name="governance_agreements"),
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path("access-review/", views.governance_access_review, name="governance_access_review"),
]
