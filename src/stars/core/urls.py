from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from stars.core import views as core_views
from stars.referrals import views as referral_views
from stars.reports import views as report_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("referrals/", referral_views.referral_list, name="referral_list"),
    path("referrals/<str:referral_id>/", referral_views.referral_detail, name="referral_detail"),
    path("reports/evaluation/", report_views.report_evaluation, name="report_evaluation"),
    path("audit/", core_views.audit, name="audit"),
    path("cases/", include("stars.cases.urls")),
    path("finance/", include("stars.finance.urls")),
    path("sufficiency/", include("stars.sufficiency.urls")),
    path("admin/", admin.site.urls),
]
