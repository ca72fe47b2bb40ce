"""The member's sign-in pages (``/me/login/`` …) and the phone change.

The sign-in answers the same whatever was typed: the code page comes next in every case
(a known ID number with its phone, an unknown one, a wrong phone), with the same body
and the same cookie; only the text message differs, which only the phone's owner reads.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members.models import Member
from members.selfservice import codes, services
from members.selfservice.forms import CodeForm, PhoneConfirmForm, PhoneForm, SignInForm
from members.selfservice.services import CodeResult, Match
from members.selfservice.session import member_required, session_member, sign_in, sign_out
from mutualaid.core.errors import DomainError, bind_to_form
from mutualaid.core.limits import client_address
from mutualaid.tenancy.context import tenant_scope
from mutualaid.tenancy.models import Tenant

PENDING_KEY = "_member_sign_in"
#: A sign-in in progress is forgotten after this long (seconds).
PENDING_SECONDS = 15 * 60


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/me/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return "/me/"


def _with_next(request, name: str):
    return redirect(reverse(name) + "?" + urlencode({"next": _next(request)}))


def _too_many(request, template, form, status=429):
    form.add_error(None, _("Too many attempts: wait a while and try again."))
    return render(request, template, {"form": form, "next": _next(request)}, status=status)


@never_cache
def login(request):
    if session_member(request) is not None:
        return redirect(_next(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        id_number = services.clean_id_number(form.cleaned_data["id_number"])
        phone = form.cleaned_data["phone"]
        # Both limits count every request, known or not (no limit tells who exists).
        by_address = codes.hit("address", client_address(request))
        by_id = codes.hit("id", codes.id_key(id_number or form.cleaned_data["id_number"]))
        if not (by_address and by_id):
            return _too_many(request, "me/login.html", form)
        matches = services.find_members(id_number, phone)
        services.send_sign_in_code(matches, services.clean_mobile(phone))
        request.session[PENDING_KEY] = {
            "matches": [m.as_json() for m in matches],
            "phone": services.clean_mobile(phone),
            "at": int(time.time()),
            "tries": 0,
        }
        return _with_next(request, "me:code")
    return render(request, "me/login.html", {"form": form, "next": _next(request)})


def _pending(request) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


@never_cache
def code(request):
    pending = _pending(request)
    if pending is None:
        return redirect("me:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not codes.hit("verify", client_address(request)):
            return _too_many(request, "me/code.html", form)
        if pending["tries"] >= codes.MAX_TRIES:
            result, opened = CodeResult.LOCKED, []
        else:
            matches = [Match.from_json(m) for m in pending["matches"]]
            result, opened = services.verify_sign_in(matches, form.cleaned_data["code"])
        if result == CodeResult.OK:
            del request.session[PENDING_KEY]
            if len(opened) == 1:
                return _signed_in(request, opened[0])
            request.session[PENDING_KEY + "_pick"] = [m.as_json() for m in opened]
            return _with_next(request, "me:pick")
        pending["tries"] += 1
        request.session[PENDING_KEY] = pending
        if result == CodeResult.LOCKED or pending["tries"] >= codes.MAX_TRIES:
            form.add_error("code", _("Too many wrong codes: ask for a new code in 15 minutes."))
        else:
            form.add_error("code", _("The code is wrong or has expired."))
    return render(request, "me/code.html", {"form": form, "next": _next(request)})


@require_POST
def resend(request):
    pending = _pending(request)
    if pending is None:
        return redirect("me:login")
    if codes.hit("address", client_address(request)):
        matches = [Match.from_json(m) for m in pending["matches"]]
        services.send_sign_in_code(matches, pending["phone"])
    messages.info(
        request,
        _("If the details match, a new code was sent (at most one a minute)."),
    )
    return _with_next(request, "me:code")


def _signed_in(request, match: Match):
    target = _next(request)
    sign_in(request, tenant_id=match.tenant_id, member_id=match.member_id)
    with tenant_scope(match.tenant_id, origin="member sign-in"):
        member = Member.objects.select_related("organisation").get(pk=match.member_id)
        services.record_sign_in(member)
    return redirect(target)


@never_cache
def pick(request):
    opened = [Match.from_json(m) for m in request.session.get(PENDING_KEY + "_pick") or []]
    if not opened:
        return redirect("me:login")
    tenants = dict(
        Tenant.objects.filter(pk__in=[m.tenant_id for m in opened]).values_list("pk", "name")
    )
    if request.method == "POST":
        chosen = request.POST.get("tenant", "")
        for match in opened:
            if str(match.tenant_id) == chosen:
                del request.session[PENDING_KEY + "_pick"]
                return _signed_in(request, match)
    choices = [(str(m.tenant_id), tenants.get(m.tenant_id, "")) for m in opened]
    return render(request, "me/pick.html", {"choices": choices, "next": _next(request)})


def logout(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    sign_out(request)
    return redirect("me:login")


@member_required
def phone(request):
    member = request.member
    send_form = PhoneForm(request.POST if request.POST.get("step") == "send" else None)
    confirm_form = PhoneConfirmForm(request.POST if request.POST.get("step") == "confirm" else None)
    if request.method == "POST" and request.POST.get("step") == "send" and send_form.is_valid():
        try:
            services.phone_change_start(member, send_form.cleaned_data["phone"])
        except DomainError as error:
            bind_to_form(send_form, error)
        else:
            messages.info(request, _("Codes were sent to your old and your new number."))
            return redirect("me:phone")
    if request.method == "POST" and request.POST.get("step") == "confirm":
        if confirm_form.is_valid():
            try:
                services.phone_change_confirm(
                    member,
                    confirm_form.cleaned_data["old_code"],
                    confirm_form.cleaned_data["new_code"],
                )
            except DomainError as error:
                bind_to_form(confirm_form, error)
            else:
                messages.success(request, _("Your mobile number was changed."))
                return redirect("me:cover")
    return render(
        request,
        "me/phone.html",
        {"member": member, "send_form": send_form, "confirm_form": confirm_form, "nav": "phone"},
    )
