from django.urls import path

from stars.uploads import views

urlpatterns = [
    path("tracker/", views.tracker_form, name="upload_tracker"),
    path("tracker/<int:tracker_upload>/", views.tracker_detail, name="tracker_upload"),
    path("returns/", views.returns_form, name="upload_returns"),
    path("returns/<int:returns_upload>/", views.returns_detail, name="returns_upload"),
]
