"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.sufficiency import views

urlpatterns = [
    path("", views.sufficiency_home, name="sufficiency_home"),
    path("<slug:council>/", views.sufficiency_dashboard, name="sufficiency_dashboard"),
    path("<slug:council>/forecast/", views.sufficiency_forecast, name="sufficiency_forecast"),
    path("<slug:council>/reconcile/", views.sufficiency_reconcile, name="sufficiency_reconcile"),
    path("link/<record_id:referral_id>/", views.sufficiency_link, name="sufficiency_link"),
]
