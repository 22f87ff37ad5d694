from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in
from django.core.checks import Tags, register
from django.urls import register_converter

from stars.core.checks import base_url_check
from stars.core.record_ids import RecordIdConverter
from stars.core.sessions import session_refreshed_at_sign_in


class CoreConfig(AppConfig):
    name = "stars.core"
    label = "core"
    verbose_name = "STARS core"

    def ready(self) -> None:
        user_logged_in.connect(session_refreshed_at_sign_in, dispatch_uid="stars-session-refreshed")
        # before any address is resolved: an enquiry or referral id may hold "/"
        register_converter(RecordIdConverter, "record_id")
        register(base_url_check, Tags.security, deploy=True)


class StarsAdminConfig(admin_apps.AdminConfig):
    """Django's administration site as STARS runs it: its reads and changes in the access
    log (``stars.core.admin_site``)."""

    default = False  # the core app's own is CoreConfig; this one is named in INSTALLED_APPS
    default_site = "stars.core.admin_site.StarsAdminSite"
