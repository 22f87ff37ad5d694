"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.cases import report_views, views

urlpatterns = [
    path("caseload/", report_views.case_caseload, name="case_caseload"),
    path("outcomes/", report_views.cases_outcomes, name="cases_outcomes"),
    path("<str:referral_id>/", views.case_detail, name="case_detail"),
    path("<str:referral_id>/chronology/", views.case_chronology, name="case_chronology"),
    path("<str:referral_id>/allocate/", views.case_allocate, name="case_allocate"),
    path("<str:referral_id>/phase/", views.case_phase, name="case_phase"),
    path("<str:referral_id>/team/", views.case_team, name="case_team"),
    path("<str:referral_id>/meeting/", views.case_meeting, name="case_meeting"),
    path("<str:referral_id>/actions/", views.case_actions, name="case_actions"),
    path("<str:referral_id>/intervention/", views.case_intervention, name="case_intervention"),
    path("<str:referral_id>/period/", views.case_period, name="case_period"),
    path("<str:referral_id>/period/end/", views.case_period_end, name="case_period_end"),
    path(
        "<str:referral_id>/period/correct/",
        views.case_period_correct,
        name="case_period_correct",
    ),
    path("<str:referral_id>/attendance/", views.case_attendance, name="case_attendance"),
    path("<str:referral_id>/assessment/", views.case_assessment, name="case_assessment"),
    path("<str:referral_id>/event/", views.case_measure, name="case_measure"),
    path("<str:referral_id>/survey/", views.case_survey, name="case_survey"),
    path("<str:referral_id>/close/", views.case_close, name="case_close"),
    path("<str:referral_id>/move/", views.case_move_cohort, name="case_move_cohort"),
]
