"""API tokens: who may hold and see them, creating and revoking them, reading one back.

- A staff user creates named tokens for themselves; an office admin also for the service
  accounts of their own node (``User.is_service_account``: no password, tokens only).
- A token acts as its user: the user's roles and subtree, checked afresh on every request
  (``mutualaid.api.base.ScopedAPIView``), so a changed role or a deactivated user counts at
  once.
- The secret is shown once, in ``token_create``'s answer; only its SHA-256 digest is
  stored. ``token_for_secret`` is the one place that reads a token by its secret (the
  authentication class calls it before the tenant is known).
- Creation and revocation are audit events, written in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mutualaid.api.models import ApiToken
from mutualaid.audit.services import record
from mutualaid.core.errors import DomainError
from mutualaid.tenancy import context
from mutualaid.tenancy.models import Role, Staff, User
from mutualaid.tenancy.scoping import Actor, ScopedQuerySet

#: Secrets look like ``mah_`` + 43 URL-safe characters (32 random bytes).
SECRET_PREFIX = "mah_"
PREFIX_SHOWN = 8
DEFAULT_DAYS = 90
MAX_DAYS = 366
#: ``last_used_at`` is written at most this often per token (not a write per request).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_of(actor: Actor | None) -> ScopedQuerySet:
    """The tokens ``actor`` sees: their own; for an office admin also those of the service
    accounts of their node."""
    if actor is None:
        return ApiToken.objects.none()
    mine = Q(user_id=actor.user.pk)
    if actor.has_role(Role.OFFICE_ADMIN):
        mine |= Q(organisation_id=actor.organisation.pk, user__is_service_account=True)
    return (
        ApiToken.objects.for_actor(actor)
        .filter(mine)
        .select_related("user", "created_by")
        .order_by("-created_at", "-id")
    )


def access_token(actor: Actor | None, token_id) -> ApiToken:
    """A token the actor sees (``tokens_of``); 404 when missing or not theirs."""
    try:
        return tokens_of(actor).get(pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def service_accounts_of(actor: Actor | None):
    """The service accounts an office admin manages: those of their own node."""
    if actor is None or not actor.has_role(Role.OFFICE_ADMIN):
        return Staff.objects.none()
    return (
        Staff.objects.for_actor(actor)
        .filter(organisation_id=actor.organisation.pk, user__is_service_account=True)
        .select_related("user")
        .order_by("user__username")
    )


def service_account_create(
    *, actor: Actor, username: str, display_name: str, roles: list[str]
) -> Staff:
    """A service account at the office admin's own node, with the roles given (no password:
    it can only use tokens)."""
    if not actor.has_role(Role.OFFICE_ADMIN):
        raise DomainError(_("Only an office administrator may create service accounts."))
    roles = sorted(set(roles))
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(
            _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}, field="roles"
        )
    username = username.strip()
    if not username:
        raise DomainError(_("Enter a user name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This user name is taken."), field="username")
    with transaction.atomic():
        user = User(
            username=username,
            display_name=display_name.strip() or username,
            is_service_account=True,
        )
        user.set_unusable_password()
        user.save()
        staff = Staff.objects.create(
            user=user, tenant_id=actor.tenant.pk, organisation=actor.organisation, roles=roles
        )
        record(
            actor=actor,
            action="service_account.create",
            obj=user,
            organisation=actor.organisation,
            after={"username": username, "roles": roles},
        )
    return staff


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once; never stored


def _expiry(expires_on: datetime.date | None) -> datetime.datetime:
    today = timezone.localdate()
    if expires_on is None:
        expires_on = today + datetime.timedelta(days=DEFAULT_DAYS)
    if expires_on <= today:
        raise DomainError(_("The expiry date must be after today."), field="expires_on")
    if expires_on > today + datetime.timedelta(days=MAX_DAYS):
        raise DomainError(
            _("A token lasts at most %(days)d days: choose an earlier expiry date.")
            % {"days": MAX_DAYS},
            field="expires_on",
        )
    # Valid through the whole expiry day, Beijing time.
    end = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(end)


def token_create(
    *,
    actor: Actor,
    name: str,
    expires_on: datetime.date | None = None,
    service_account: User | None = None,
) -> CreatedToken:
    """A new token for the actor, or (office admins) for a service account of their node.
    The answer carries the secret; nothing can show it again."""
    name = name.strip()
    if not name:
        raise DomainError(
            _("Give the token a name, e.g. the system that will use it."), field="name"
        )
    owner, organisation = actor.user, actor.organisation
    if service_account is not None and service_account.pk != actor.user.pk:
        staff = service_accounts_of(actor).filter(user_id=service_account.pk).first()
        if staff is None:
            raise DomainError(
                _("You may create tokens only for the service accounts of your own node."),
                field="service_account",
            )
        owner, organisation = staff.user, staff.organisation
    expires_at = _expiry(expires_on)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            tenant_id=actor.tenant.pk,
            organisation=organisation,
            user=owner,
            created_by=actor.user,
            name=name[:100],
            prefix=secret[: len(SECRET_PREFIX) + PREFIX_SHOWN],
            digest=digest_of(secret),
            expires_at=expires_at,
        )
        record(
            actor=actor,
            action="api_token.create",
            obj=token,
            organisation=organisation,
            after={"name": token.name, "user": owner.username, "expires_at": expires_at},
        )
    return CreatedToken(token=token, secret=secret)


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke at once: the next request with it gets 401. Revoking twice changes nothing."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
        token.revoked_at = now
        record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            organisation=token.organisation,
            before={"name": token.name, "user": token.user.username},
            after={"revoked_at": now},
        )
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret (with its user), or None: unknown, revoked, expired,
    or its user deactivated. The one lookup across tenants (by the secret's digest), done
    before the tenant is known; marks the token used (at most once a minute)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    # Row-level security: the token's tenant comes first, from a SECURITY DEFINER function
    # that answers nothing but that id for this digest (mutualaid/tenancy/rls.py); the
    # request's scope then acts for that tenant, and the row is read like any other.
    digest = digest_of(secret)
    with connection.cursor() as cursor:
        cursor.execute("SELECT mutualaid_api_token_tenant(%s)", [digest])
        tenant_id = cursor.fetchone()[0]
    if tenant_id is None:
        return None
    if context.current() is not None:
        context.activate(tenant_id)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
