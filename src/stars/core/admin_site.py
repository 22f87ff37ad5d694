"""Django's administration site (``/admin/``), its reads in the access log like every page's.

An administrator's read there of what a model holds (the sign-in attempts' user names and
addresses, the jobs' arguments, or any record a model admin shows) is a read of personal data:
each list, record, its history and its deletion's confirmation is one access-log entry through
:func:`stars.core.audit.record_access` (a list: :func:`record_list`, a row per record shown),
and each change made there (added, changed, deleted) is one too, beside Django's own admin log,
which no page of STARS shows. The site audits every model registered on it, by whichever app
(``axes``, ``django_tasks_db``): :meth:`StarsAdminSite.register` gives each model admin the
audit of :class:`AuditedAdmin`. Its autocomplete (``/admin/autocomplete/``, the records a
search box of a form there offers) is a list read too, logged as the model's list is
(:class:`AuditedAutocomplete`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from stars.core.audit import RECORD_IDS, record_access, record_list


def _kind(model: type[Model]) -> str:
    """How the access log names a record of ``model``: by its model's name, as the pages
    name theirs (``referral``, ``enquiry``, ``user``)."""
    return model._meta.model_name or model.__name__.lower()


def _id(obj: Model) -> str:
    """A record's id as the pages log it: a referral, an enquiry or a child by its own id
    (so a subject access response finds it), anything else by its key."""
    field = RECORD_IDS.get(obj._meta.label_lower)
    return str(getattr(obj, field) if field else obj.pk)


def _shown(response: HttpResponse) -> bool:
    return response.status_code == 200 and getattr(response, "context_data", None) is not None


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose reads and changes are in the access log."""

    def _read(self, request: HttpRequest, obj: Model | None, object_id: str) -> None:
        record_access(
            user=request.user,
            action="view",
            object_type=_kind(self.model),
            object_id=_id(obj) if obj is not None else object_id,
            path=request.get_full_path(),
            detail=f"administration site: {self.model._meta.label_lower}",
        )

    def _listed(self, request: HttpRequest, rows: Any) -> None:
        record_list(
            user=request.user,
            object_type=_kind(self.model),
            object_ids=[_id(o) for o in rows],
            path=request.get_full_path(),
            detail=f"administration site: {self.model._meta.label_lower}",
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        if _shown(response):
            context = response.context_data
            if "cl" in context:  # the list
                self._listed(request, context["cl"].result_list)
            elif "queryset" in context:  # an action's confirmation ("delete selected")
                self._listed(request, context["queryset"])
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and _shown(response):
            self._read(request, response.context_data.get("original"), object_id)
        return response

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        response = super().history_view(request, object_id, extra_context)
        if _shown(response):
            self._read(request, response.context_data.get("object"), object_id)
        return response

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET" and _shown(response):
            self._read(request, response.context_data.get("object"), object_id)
        return response

    def _changed(self, request: HttpRequest, action: str, obj: Model) -> None:
        record_access(
            user=request.user,
            action=action,
            object_type=_kind(self.model),
            object_id=_id(obj),
            path=request.path,
            detail=f"administration site: {self.model._meta.label_lower}",
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._changed(request, "create", obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._changed(request, "change", obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._changed(request, "delete", obj)
        return super().log_deletions(request, queryset)


class AuditedAutocomplete(AutocompleteJsonView):
    """The administration site's autocomplete: the records it answers a search box with
    are a list shown, one access-log row each, as the model's own list logs them."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        self.shown = list(context["object_list"])
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200 and isinstance(self.model_admin, AuditedAdmin):
            self.model_admin._listed(request, self.shown)
        return response


class StarsAdminSite(admin.AdminSite):
    """The administration site: every model admin registered on it is audited, and so is
    its autocomplete."""

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return AuditedAutocomplete.as_view(admin_site=self)(request)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            base = type(base.__name__, (AuditedAdmin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)
