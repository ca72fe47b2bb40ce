"""The plan catalogue: plans, their dated versions (the terms), and benefit items.

The terms of a version are stored as the benefit engine's plain data (``terms``,
a JSON object) and validated by ``plans.rules.validate_version_terms`` on every
save, so the engine stays the single source of truth for what a term looks like.
Only what queries need is a column: the plan code, a version's dates and status,
an item's code, position and formula. Benefit items are rows (not a JSON list) so
an admin edits one at a time with a form that fits its formula;
``PlanVersion.engine_terms`` composes the dict the engine reads.

Visibility (SPEC §2–§3): a plan belongs to a tenant and an owning node — the office
root for tenant-wide plans, a city node for local plans. Users at the owning node,
below it, and above it (the office that supervises the city) may read it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel, tenant_key
from mutualaid.tenancy.scoping import Actor


def _visible_to(actor: Actor, prefix: str = "") -> Q:
    """Owner is the actor's node, an ancestor of it (prefix of its path), or below it."""
    path = actor.path
    steplen = actor.organisation.steplen
    ancestors = [path[: steplen * i] for i in range(1, len(path) // steplen + 1)]
    return Q(**{f"{prefix}organisation__path__in": ancestors}) | Q(
        **{f"{prefix}organisation__path__startswith": path}
    )


class PlanQuerySet(models.QuerySet):
    def for_actor(self, actor: Actor | None) -> PlanQuerySet:
        if actor is None:
            return self.none()
        return self.filter(_visible_to(actor), tenant_id=actor.tenant.pk)


class Plan(TenantModel):
    """A mutual-aid plan (互助保障计划) of one tenant; its terms live in its versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    organisation = TenantForeignKey(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("The office for a tenant-wide plan, a city federation for a local plan."),
    )
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["code"]
        constraints = [
            tenant_key(),
            models.UniqueConstraint(fields=["tenant", "code"], name="plan_code_unique_per_tenant"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_local(self) -> bool:
        return self.organisation.depth > 1

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PlanVersionQuerySet(models.QuerySet):
    def for_actor(self, actor: Actor | None) -> PlanVersionQuerySet:
        if actor is None:
            return self.none()
        return self.filter(_visible_to(actor, "plan__"), tenant_id=actor.tenant.pk)

    def published(self) -> PlanVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)


class PlanVersion(TenantModel):
    """A dated set of a plan's terms. Editable while a draft; frozen once published."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    plan = TenantForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    #: Everything of the engine's terms except ``benefit_items`` (those are rows).
    terms = models.JSONField(_("terms"), default=dict)
    #: Open to individual applications (个人参保, issue 17.4): ``plans.individuals``.
    individual_offer = models.JSONField(_("individual applications"), default=dict, blank=True)
    copied_from = TenantForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            tenant_key(),
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            # version_in_force must never have to choose between two versions of one day.
            models.UniqueConstraint(
                fields=["plan", "valid_from"],
                condition=Q(status="published"),
                name="plan_version_one_published_per_day",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="plan_version_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status", "valid_from"], name="plan_version_in_force_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.label}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def is_in_use(self) -> bool:
        """True once any policy is bound to this version.

        The enrolment app adds the relation (``related_name="policies"``); until it
        exists nothing can use a version. Policies bind only to published versions.
        """
        related = getattr(self, "policies", None)
        return related is not None and related.exists()

    @property
    def is_editable(self) -> bool:
        """Only drafts change; a published version is immutable, in use or not."""
        return self.status == VersionStatus.DRAFT

    def engine_terms(self, items: list[BenefitItem] | None = None) -> dict[str, Any]:
        """The dict ``plans.rules`` reads: the stored terms plus the items in order."""
        if items is None:
            items = list(self.items.all())
        items = sorted(items, key=lambda i: (i.position, i.code))
        return {**self.terms, "benefit_items": [item.to_terms() for item in items]}


class BenefitItem(TenantModel):
    """One benefit of a version: which events it answers and its formula's parameters."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.PROTECT, related_name="+")
    version = TenantForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    formula = models.CharField(_("formula"), max_length=40)
    params = models.JSONField(_("formula parameters"), default=dict, blank=True)
    events = ArrayField(models.CharField(max_length=40), default=list, verbose_name=_("events"))
    causes = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name=_("causes")
    )
    conditions = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, verbose_name=_("conditions")
    )
    excluded_conditions = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        verbose_name=_("excluded conditions"),
    )
    waiting_applies = models.BooleanField(_("waiting period applies"), default=True)
    ends_cover = models.BooleanField(_("payout ends the cover"), default=False)
    exclusive_group = models.CharField(_("exclusive group"), max_length=50, blank=True)
    #: ``{"amount": "9000.00", "per_share": true}`` or null.
    annual_cap = models.JSONField(_("yearly cap"), null=True, blank=True)
    max_payouts_per_period = models.PositiveIntegerField(null=True, blank=True)
    #: fact name → band, e.g. ``{"died_within_days": {"upper": "180"}}``.
    fact_limits = models.JSONField(_("conditions on facts"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("benefit item")
        verbose_name_plural = _("benefit items")
        ordering = ["version", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="benefit_item_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def to_terms(self) -> dict[str, Any]:
        """This item in the engine's form (keys left out when they hold the default)."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "events": list(self.events),
            "formula": self.formula,
            "params": self.params,
            "waiting_applies": self.waiting_applies,
        }
        for key in ("causes", "conditions", "excluded_conditions"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        if self.ends_cover:
            out["ends_cover"] = True
        if self.exclusive_group:
            out["exclusive_group"] = self.exclusive_group
        if self.annual_cap is not None:
            out["annual_cap"] = self.annual_cap
        if self.max_payouts_per_period is not None:
            out["max_payouts_per_period"] = self.max_payouts_per_period
        if self.fact_limits:
            out["fact_limits"] = self.fact_limits
        if self.note:
            out["note"] = self.note
        return out

    #: Model fields filled from an engine item dict (see ``from_terms``).
    TERM_FIELDS = (
        "code",
        "name",
        "formula",
        "params",
        "events",
        "causes",
        "conditions",
        "excluded_conditions",
        "waiting_applies",
        "ends_cover",
        "exclusive_group",
        "annual_cap",
        "max_payouts_per_period",
        "fact_limits",
        "note",
    )

    @staticmethod
    def values_from_terms(data: dict[str, Any]) -> dict[str, Any]:
        """Column values for a (validated) engine item dict."""
        return {
            "code": data["code"],
            "name": data["name"],
            "formula": data["formula"],
            "params": data.get("params") or {},
            "events": list(data.get("events") or []),
            "causes": list(data.get("causes") or []),
            "conditions": list(data.get("conditions") or []),
            "excluded_conditions": list(data.get("excluded_conditions") or []),
            "waiting_applies": bool(data.get("waiting_applies", True)),
            "ends_cover": bool(data.get("ends_cover", False)),
            "exclusive_group": data.get("exclusive_group") or "",
            "annual_cap": data.get("annual_cap"),
            "max_payouts_per_period": data.get("max_payouts_per_period"),
            "fact_limits": data.get("fact_limits") or {},
            "note": data.get("note") or "",
        }
