"""The root URLconf: every app's pages and the API (each app's routers added here)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from stars.cases import views as case_views
from stars.core import views as core_views
from stars.core.api import api
from stars.core.forms import SignInForm
from stars.referrals import api as referrals_api
from stars.referrals import views as referral_views
from stars.reports import board_views, simulator_views
from stars.reports import targets as target_views
from stars.reports import views as report_views
from stars.web import health
from stars.web import search as web_search
from stars.web import views as web_views

api.add_router("", referrals_api.router)

# an error no page handled: 500, or 503 when an import held SQLite's write lock
handler500 = core_views.server_error

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("search/", web_search.search, name="search"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/", core_views.session_keep_alive, name="session_keep_alive"),
    path("referrals/", referral_views.referral_list, name="referral_list"),
    path("referrals/<record_id:referral_id>/", case_views.referral_detail, name="referral_detail"),
    path(
        "referrals/<record_id:referral_id>/re-refer/",
        referral_views.referral_rerefer,
        name="referral_rerefer",
    ),
    path("enquiries/", referral_views.enquiry_list, name="enquiry_list"),
    path("enquiries/waiting-list/", referral_views.enquiry_waiting, name="enquiry_waiting"),
    path("enquiries/new/", referral_views.enquiry_new, name="enquiry_new"),
    path("enquiries/<record_id:enquiry_id>/", referral_views.enquiry_detail, name="enquiry_detail"),
    path(
        "enquiries/<record_id:enquiry_id>/papers/",
        referral_views.enquiry_papers,
        name="enquiry_papers",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/decision/",
        referral_views.enquiry_decide,
        name="enquiry_decide",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/consent/",
        referral_views.enquiry_consent,
        name="enquiry_consent",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/guaranteed-funding/",
        referral_views.enquiry_approve_gf,
        name="enquiry_approve_gf",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/accept/",
        referral_views.enquiry_accept,
        name="enquiry_accept",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/profile/",
        referral_views.enquiry_profile,
        name="enquiry_profile",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/profile.pdf",
        referral_views.enquiry_profile_pdf,
        name="enquiry_profile_pdf",
    ),
    path(
        "enquiries/<record_id:enquiry_id>/match/",
        referral_views.enquiry_match,
        name="enquiry_match",
    ),
    path("targets/", target_views.targets, name="targets"),
    path("reports/evaluation/", report_views.report_evaluation, name="report_evaluation"),
    path("reports/board/", board_views.report_board, name="report_board"),
    path("reports/simulator/", simulator_views.simulator, name="simulator"),
    path("audit/", core_views.audit, name="audit"),
    path("cases/", include("stars.cases.urls")),
    path("notifications/", include("stars.notifications.urls")),
    path("finance/", include("stars.finance.urls")),
    path("sufficiency/", include("stars.sufficiency.urls")),
    path("uploads/", include("stars.uploads.urls")),
    path("governance/", include("stars.governance.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
