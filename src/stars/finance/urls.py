"""URLs of this app; every view is wrapped in stars.core.permissions.page."""

urlpatterns: list = []
