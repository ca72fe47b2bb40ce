"""Notification pages: a user's own notifications, read and marked read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from mutualaid.core.errors import bind_to_form
from mutualaid.notifications import selectors, services
from mutualaid.notifications.access import access_notification
from mutualaid.notifications.forms import PreferenceForm
from mutualaid.tenancy.access import staff_required


@staff_required()
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = selectors.notification_page(
        actor=request.actor, unread_only=unread_only, after=request.GET.get("after")
    )
    return render(
        request, "notifications/notification_list.html", {"page": page, "unread_only": unread_only}
    )


@staff_required()
def notification_badge(request):
    """The header's unread count, fetched by htmx after the page loads (so no page pays a
    query for it): an empty answer when there is nothing unread."""
    count = services.unread_count(actor=request.actor)
    return render(request, "notifications/_badge.html", {"count": count})


@staff_required()
def notification_open(request, notification_id):
    """Mark read (POST) and follow the notification's link."""
    notification = access_notification(request.actor, notification_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.notification_mark_read(actor=request.actor, notification=notification)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@staff_required()
def notification_read_all(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.notifications_mark_all_read(actor=request.actor)
    if request.htmx:
        return HttpResponse("")
    return redirect("notifications:list")


@staff_required()
def notification_preferences(request):
    """GET: the user's delivery choice; POST: save it (e-mail at once, a daily digest or
    none; text messages to a mobile number)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    pref = services.preference_of(actor=request.actor)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preference_update(
                    actor=request.actor,
                    email_mode=form.cleaned_data["email_mode"],
                    sms_on=form.cleaned_data["sms"],
                    mobile=form.cleaned_data["mobile"],
                )
            except ValidationError as error:
                bind_to_form(form, error)
            else:
                messages.success(request, _("Your choice is saved."))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={"email_mode": pref.email_mode, "sms": pref.sms, "mobile": pref.mobile}
        )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.actor.user.email)},
    )
