"""The member's session and the decorator of every member page.

A member is not a Django user: signing in stores ``{member, tenant, started, seen}``
under ``SESSION_KEY`` in a fresh session (the old one is flushed, so the key rotates and
a staff sign-in in the same browser is dropped). ``request.user`` stays anonymous, so
every staff page and the API treat a member's session as nobody's (staff pages redirect
to the staff sign-in, API writes answer 401/403).

The session lasts ``IDLE_SECONDS`` without a request and ``ABSOLUTE_SECONDS`` at most.
``member_required`` reads it, activates the member's tenant in the request's scope
(``mutualaid.tenancy.context``), loads the member and puts ``request.member`` and
``request.member_actor`` (a ``MemberActor``) on the request. The pages read only the
member's own rows: every query names ``member_id`` (and the tenant); ``MemberActor``
reaches its tenant's nodes only so that the claims' action table can admit it, and the
table admits it for its own member's rows alone (``claims.access``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from mutualaid.tenancy import context
from mutualaid.tenancy.scoping import Actor

SESSION_KEY = "_member_self_service"
#: Signed out after this long without a request (seconds) …
IDLE_SECONDS = 30 * 60
#: … and this long after signing in, whatever happens.
ABSOLUTE_SECONDS = 8 * 3600
#: ``seen`` is written back at most this often (one UPDATE of the session row).
TOUCH_SECONDS = 60

#: The pseudo-role the claims' action table admits a member with (never a staff role).
SELF_SERVICE = "member_self"


@dataclass(frozen=True)
class MemberActor(Actor):
    """A member acting for themselves: the tenant, their unit's node, and ``member_id``."""

    member_id: uuid.UUID | None = None

    def reaches(self, organisation) -> bool:
        # The member's rows stay theirs after a transfer; WHICH rows is the member check
        # in claims.access (``_rules_admitting``) and every member selector.
        return organisation.tenant_id == self.tenant.pk


def is_member_actor(actor) -> bool:
    return isinstance(actor, MemberActor)


def member_actor(member) -> MemberActor:
    return MemberActor(
        user=None,
        tenant=member.tenant,
        organisation=member.organisation,
        roles=frozenset({SELF_SERVICE}),
        member_id=member.pk,
    )


def sign_in(request, *, tenant_id, member_id) -> None:
    request.session.flush()
    now = int(time.time())
    request.session[SESSION_KEY] = {
        "m": str(member_id),
        "t": str(tenant_id),
        "at": now,
        "seen": now,
    }
    request.session.set_expiry(IDLE_SECONDS)


def sign_out(request) -> None:
    request.session.flush()


def session_member(request) -> dict | None:
    """The member's session data when it is valid now; None (and the session flushed
    when it expired)."""
    if request.user.is_authenticated:
        return None  # a staff session is never a member's
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    now = time.time()
    if now - data.get("at", 0) > ABSOLUTE_SECONDS or now - data.get("seen", 0) > IDLE_SECONDS:
        request.session.flush()
        return None
    return data


def _to_sign_in(request):
    return redirect(reverse("me:login") + "?" + urlencode({"next": request.get_full_path()}))


def member_required(view):
    """A member page: a valid member session, the member's tenant activated, the member
    loaded (else to the member sign-in); never cached."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        from members.models import Member

        data = session_member(request)
        if data is None:
            return _to_sign_in(request)
        context.activate(data["t"])
        member = (
            Member.objects.select_related("organisation", "tenant")
            .filter(pk=data["m"], tenant_id=data["t"])
            .first()
        )
        if member is None:
            sign_out(request)
            return _to_sign_in(request)
        now = int(time.time())
        if now - data["seen"] >= TOUCH_SECONDS:
            request.session[SESSION_KEY] = {**data, "seen": now}
            request.session.set_expiry(IDLE_SECONDS)
        request.member = member
        request.member_actor = member_actor(member)
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped
