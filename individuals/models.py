"""Individual applications for cover (个人参保, issue 17.4).

A new-form worker (快递员, 外卖配送员 …) applies on the public page of a federation for a
plan version the office opened to individuals (``PlanVersion.individual_offer``). The
federation is the applicant's node in the tree: ``organisation`` scopes the application
to that federation's cadres (and those above it). An approved batch becomes one
enrolment of the federation's "individual members" unit (``IndividualsUnit``), whose
cover comes into force by the enrolment rules (``individuals.services``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualaid.core.cleaning import mask_id_number
from mutualaid.tenancy.base import TenantForeignKey, TenantModel, TenantOneToOneField
from mutualaid.tenancy.scoping import ScopedQuerySet


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class IndividualsUnit(TenantModel):
    """The unit that holds a federation's individually enrolled members
    ("梧州市总工会 新就业形态劳动者"): a member needs a unit (``Member.unit``)."""

    federation = TenantOneToOneField(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", primary_key=True
    )
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    unit = TenantOneToOneField("members.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "federation"

    class Meta:
        verbose_name = _("individual members' unit")
        verbose_name_plural = _("individual members' units")


class IndividualApplication(TenantModel):
    """One person's application for one plan version at one federation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: The federation applied to: the applicant's node in the tree (scoping).
    organisation = TenantForeignKey(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("federation"),
    )
    plan_version = TenantForeignKey(
        "plans.PlanVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("plan version"),
    )
    name = models.CharField(_("full name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=30)
    occupation = models.CharField(_("occupation"), max_length=30)
    platform = models.CharField(_("platform"), max_length=30, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    reason = models.TextField(_("reason for refusal"), blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    #: After approval: the member registered (or found) and the enrolment that covers them.
    member = TenantForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    enrolment = TenantForeignKey(
        "enrolment.Enrolment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: When the applicant was sent the decision by text message (``decision_texts_send``).
    told_at = models.DateTimeField(_("applicant told"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("individual application")
        verbose_name_plural = _("individual applications")
        constraints = [
            # One waiting application per person and version: a second click, a second tab.
            models.UniqueConstraint(
                fields=["tenant", "id_number", "plan_version"],
                condition=Q(status="pending"),
                name="individual_application_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(reason=""),
                name="individual_application_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="individual_application_id_number_shape",
            ),
        ]
        indexes = [
            # The cadre's list and inbox: a federation's applications by status, oldest first.
            models.Index(
                fields=["organisation", "status", "created_at", "id"],
                name="individual_app_org_status_idx",
            ),
            models.Index(
                fields=["tenant", "status", "created_at", "id"],
                name="individual_app_tenant_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)
