"""One-time codes sent by text message to a member (sign-in, phone change).

A tenant table: a member is a person of one tenant, so a code, its tries and its lock
belong to that tenant's member and never count for the same person in another office.
Only an HMAC of the code is kept (``codes.digest``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel
from mutualaid.tenancy.scoping import ScopedQuerySet


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in")
    PHONE_OLD = "phone_old", _("Phone change: the old number")
    PHONE_NEW = "phone_new", _("Phone change: the new number")


class OneTimeCode(TenantModel):
    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    member = TenantForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    purpose = models.CharField(max_length=10, choices=CodePurpose.choices)
    #: The number it went to (the new one, for a phone change).
    phone = models.CharField(max_length=30)
    digest = models.CharField(max_length=64)
    #: Not auto_now_add: the expiry tests write it in the past.
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "member__organisation"

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["member", "purpose", "-created_at"], name="member_code_latest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
