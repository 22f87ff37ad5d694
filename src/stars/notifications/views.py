"""Notification pages: your notifications, your choices, and (administrators) the emails
that failed. Thin views."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from stars.core.audit import record_access
from stars.core.forms import GovukForm
from stars.core.listing import page_of
from stars.core.permissions import page
from stars.notifications import selectors, services
from stars.notifications.events import EVENTS

CHOICES = list(EVENTS.items())
NO_ADDRESS = ". You have no email address: ask an administrator to add one."


class ChoicesForm(GovukForm):
    in_app = forms.MultipleChoiceField(
        label="Tell me in STARS when",
        choices=CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.MultipleChoiceField(
        label="Email me when",
        choices=CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Emails name records by id only, never a child's name.",
    )


@page("notifications")
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        n = services.mark_all_read(user=request.user)
        messages.success(request, f"{n} notification{'' if n == 1 else 's'} marked as read")
        return redirect("notifications")
    shown = page_of(request, selectors.notifications_of(request.user))
    for n in shown:  # a title names a record by id: in the access log, found by that id
        record_access(
            user=request.user,
            action="list",
            object_type="notification",
            object_id=str(n.pk),
            path=request.path,
            detail=n.title,
        )
    return render(
        request,
        "notifications/list.html",
        {"items": shown, "page_obj": shown, "unread": selectors.unread_count(request.user)},
    )


@page("notification_preferences")
def notification_preferences(request: HttpRequest) -> HttpResponse:
    chosen = services.choices_of(request.user)
    initial = {
        "in_app": [e for e, (a, _) in chosen.items() if a],
        "email": [e for e, (_, m) in chosen.items() if m],
    }
    form = ChoicesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.choices_save(
            user=request.user, in_app=form.cleaned_data["in_app"], email=form.cleaned_data["email"]
        )
        messages.success(request, "Your notification choices are saved")
        return redirect("notifications")
    return render(
        request,
        "stars/form_page.html",
        {
            "form": form,
            "heading": "Your notification choices",
            "intro": "Choose what you are told about, in STARS and by email"
            + (f" (to {request.user.email})." if request.user.email else NO_ADDRESS),
            "back": "/notifications/",
            "submit": "Save my choices",
        },
    )


@page("notification_failures")
def notification_failures(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        n = get_object_or_404(selectors.emails_failing(), pk=request.POST.get("notification"))
        services.email_send_again(notification=n)
        messages.success(request, f"The email to {n.user.username} will be sent again")
        return redirect("notification_failures")
    shown = page_of(request, selectors.emails_failing())
    return render(request, "notifications/failures.html", {"items": shown, "page_obj": shown})
