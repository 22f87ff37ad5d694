"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

from django.urls import path

from stars.finance import views

CLAIM = "claims/<slug:council>/<str:month>/"

urlpatterns = [
    path("claims/", views.finance_claims, name="finance_claims"),
    path(CLAIM, views.claim_detail, name="claim_detail"),
    path(CLAIM + "prepare/", views.claim_prepare, name="claim_prepare"),
    path(CLAIM + "submit/", views.claim_submit, name="claim_submit"),
    path(CLAIM + "approve/", views.claim_approve, name="claim_approve"),
    path(CLAIM + "dispute/", views.claim_dispute, name="claim_dispute"),
    path("money/", views.finance_money, name="finance_money"),
    path("contract/", views.finance_contract, name="finance_contract"),
    path("investor/", views.finance_investor, name="finance_investor"),
    path("portfolio/", views.finance_portfolio, name="finance_portfolio"),
    path("extract/", views.finance_extract, name="finance_extract"),
]
