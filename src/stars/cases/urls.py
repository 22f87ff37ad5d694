"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.cases import report_views, views

urlpatterns = [
    path("caseload/", report_views.case_caseload, name="case_caseload"),
    path("outcomes/", report_views.cases_outcomes, name="cases_outcomes"),
    path("<record_id:referral_id>/", views.case_detail, name="case_detail"),
    path("<record_id:referral_id>/chronology/", views.case_chronology, name="case_chronology"),
    path("<record_id:referral_id>/allocate/", views.case_allocate, name="case_allocate"),
    path("<record_id:referral_id>/phase/", views.case_phase, name="case_phase"),
    path("<record_id:referral_id>/team/", views.case_team, name="case_team"),
    path("<record_id:referral_id>/meeting/", views.case_meeting, name="case_meeting"),
    path("<record_id:referral_id>/actions/", views.case_actions, name="case_actions"),
    path(
        "<record_id:referral_id>/intervention/", views.case_intervention, name="case_intervention"
    ),
    path("<record_id:referral_id>/period/", views.case_period, name="case_period"),
    path("<record_id:referral_id>/period/end/", views.case_period_end, name="case_period_end"),
    path(
        "<record_id:referral_id>/period/correct/",
        views.case_period_correct,
        name="case_period_correct",
    ),
    path("<record_id:referral_id>/attendance/", views.case_attendance, name="case_attendance"),
    path("<record_id:referral_id>/assessment/", views.case_assessment, name="case_assessment"),
    path("<record_id:referral_id>/event/", views.case_measure, name="case_measure"),
    path("<record_id:referral_id>/survey/", views.case_survey, name="case_survey"),
    path("<record_id:referral_id>/close/", views.case_close, name="case_close"),
    path("<record_id:referral_id>/move/", views.case_move_cohort, name="case_move_cohort"),
]
