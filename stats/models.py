"""Statistics (SPEC §11): summary tables behind the dashboards, monthly statistical returns.

Summaries (derived data, rebuilt by ``stats.refresh.summaries_refresh``, nightly and on
demand; a tenant's rows are replaced in one transaction, so a reader sees the old set or
the new one, never half):

- ``NodeFigures``: money and counts per node of the tree, plan, year and month — policies
  started, premium income, claims received and paid, amount paid, largest payout, payouts
  of ¥10,000 and more, payouts on time. Each node's row is the sum over its whole subtree
  (units' rows are their own), so a dashboard reads its node's few hundred rows and its
  children's, whatever the size of the tenant.
- ``UnitFigures``: one row per unit on the reference day: union members, members covered,
  ownership and industry. Coverage rates by child node, ownership type and industry and
  the blank-spot list are aggregates over a subtree of these (one row per unit, not per
  member: 100,000 rows for 5,000,000 members).
- ``PlanYearReserve``: per plan and year, the reserves at the year's end (unearned premium,
  approved payouts not yet paid), for the fund statement.
- ``SummaryRefresh``: when a tenant's summaries were built, and their reference day.

Statistical returns: ``StatisticalReturn`` is one city's monthly return to its office
(drafted from the summaries, reviewed and submitted by the city, accepted or sent back by
the office), due by a working day of the next month set per tenant in ``ReturnSettings``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutualaid.tenancy.base import TenantForeignKey, TenantModel, TenantOneToOneField
from mutualaid.tenancy.scoping import ScopedQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal("0.00")}
#: 以上 includes the number: a payout of exactly ¥10,000 is a payout "of ¥10,000 and more".
LARGE_PAYOUT = Decimal("10000.00")


class SummaryRefresh(TenantModel):
    """When a tenant's summaries were last rebuilt (one row per tenant)."""

    tenant = models.OneToOneField(
        "tenancy.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    #: Reference day of the snapshot figures (cover in force, payouts overdue).
    as_of = models.DateField(_("figures as of"))
    refreshed_at = models.DateTimeField(_("refreshed at"))
    seconds = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.refreshed_at:%Y-%m-%d %H:%M}"


class NodeFigures(TenantModel):
    """Figures of one node's subtree for one plan and one calendar month."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    #: The node's parent (None at the office): a node's children are read on it.
    parent = TenantForeignKey(
        "tenancy.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    plan = TenantForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    #: Policies whose cover starts in the month (参保人次), cancelled ones left out.
    policies_started = models.PositiveIntegerField(default=0)
    #: Payments received less refunds paid back, by their bank date.
    premium_income = models.DecimalField(**MONEY)
    #: Claims submitted in the month (any state after the draft).
    claims_received = models.PositiveIntegerField(default=0)
    #: Claims paid in the month, and what they paid.
    claims_paid = models.PositiveIntegerField(default=0)
    amount_paid = models.DecimalField(**MONEY)
    largest_payout = models.DecimalField(**MONEY)
    #: Paid claims of ¥10,000 and more (LARGE_PAYOUT, inclusive).
    large_payouts = models.PositiveIntegerField(default=0)
    #: Paid claims with a pay-by day, and those paid on or before it.
    paid_with_due = models.PositiveIntegerField(default=0)
    paid_on_time = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("node figures")
        verbose_name_plural = _("node figures")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "plan", "year", "month"], name="node_figures_once"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="node_figures_month"
            ),
        ]
        indexes = [
            # A node's own rows lead with it (the unique constraint above is not by year).
            models.Index(fields=["organisation", "year", "month"], name="node_figures_node_idx"),
            models.Index(fields=["parent", "year"], name="node_figures_parent_idx"),
            models.Index(fields=["tenant"], name="node_figures_tenant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.plan_id} {self.year}-{self.month:02d}"


class UnitFigures(TenantModel):
    """One unit on the summaries' reference day: its union and its cover."""

    unit = TenantOneToOneField(
        "members.Unit", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    #: The unit's tree path (paths never change): subtree reads on one index, no join.
    path = models.CharField(max_length=255, db_collation="C")
    ownership = models.CharField(_("ownership"), max_length=20)
    industry = models.CharField(_("industry"), max_length=1, blank=True)
    #: The unit's recorded headcount of union members (or, when it has none recorded, its
    #: registered members who are union members).
    union_members = models.PositiveIntegerField(default=0)
    #: Members registered at the unit now.
    members = models.PositiveIntegerField(default=0)
    #: Members of the unit with cover in force on the reference day (any plan).
    members_covered = models.PositiveIntegerField(default=0)
    #: Of those, the union members (the numerator of the coverage rate).
    union_members_covered = models.PositiveIntegerField(default=0)
    #: Last covered day of the unit's latest enrolment in force, if it ever had one.
    last_cover_end = models.DateField(null=True, blank=True)
    #: Approved payouts of the unit's members past their pay-by day and still unpaid.
    payouts_overdue = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "unit__organisation"

    class Meta:
        verbose_name = _("unit figures")
        verbose_name_plural = _("unit figures")
        indexes = [
            models.Index(
                fields=["tenant", "path"],
                name="unit_figures_path_idx",
                opclasses=["", "text_pattern_ops"],
            ),
            # The blank-spot list: units with nobody covered, in tree order (keyset on path).
            models.Index(
                fields=["tenant", "path"],
                name="unit_figures_blank_idx",
                opclasses=["", "text_pattern_ops"],
                condition=Q(members_covered=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.members_covered}/{self.union_members}"

    @property
    def is_blank_spot(self) -> bool:
        return self.members_covered == 0


class PlanYearReserve(TenantModel):
    """A plan's reserves at the end of a year (or on the reference day, for the current year)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    plan = TenantForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    #: The day the reserves are measured: 31 December, or the reference day in the current year.
    measured_on = models.DateField()
    #: Premium of cover still to run after that day (days left / days of the period).
    unearned_premium = models.DecimalField(**MONEY)
    #: Approved payouts not paid by that day.
    outstanding_payouts = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("plan reserve")
        verbose_name_plural = _("plan reserves")
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="plan_year_reserve_once"),
        ]
        indexes = [models.Index(fields=["tenant"], name="plan_year_reserve_tenant_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year}"

    @property
    def total(self) -> Decimal:
        return self.unearned_premium + self.outstanding_payouts


# --- Statistical returns --------------------------------------------------------------------


class ReturnSettings(TenantModel):
    """A tenant's rules for the cities' monthly returns."""

    tenant = models.OneToOneField(
        "tenancy.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    due_working_day = models.PositiveSmallIntegerField(
        _("due by working day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The return of a month is due by this working day of the next month."),
    )
    remind_working_days = models.PositiveSmallIntegerField(
        _("reminder (working days before)"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(15)],
        help_text=_("The city's cadres are reminded this many working days before the due day."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("return settings")
        verbose_name_plural = _("return settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_working_day__gte=1) & Q(due_working_day__lte=20),
                name="return_due_working_day_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.due_working_day}"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Being reviewed by the city")
    SUBMITTED = "submitted", _("Submitted to the office")
    ACCEPTED = "accepted", _("Accepted by the office")
    RETURNED = "returned", _("Sent back to the city")


#: States in which the city still owes the return (it is late once the due day has passed).
OPEN_RETURN_STATUSES = (ReturnStatus.DRAFT, ReturnStatus.RETURNED)


class StatisticalReturn(TenantModel):
    """A city's monthly statistical return (统计月报) to its office."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: The filing node (a city federation).
    organisation = TenantForeignKey(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("city"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    #: The figures as filled from the summaries (and reviewed), kept as submitted.
    figures = models.JSONField(_("figures"), default=dict)
    filled_at = models.DateTimeField(_("filled from the data at"), null=True, blank=True)
    due_on = models.DateField(_("due by"))
    #: The due day lies in a year without a confirmed work calendar (Monday–Friday assumed).
    due_provisional = models.BooleanField(default=False)
    #: Set by the daily job: the due day has passed and the city has not submitted.
    overdue = models.BooleanField(_("overdue"), default=False)
    remarks = models.TextField(_("remarks of the city"), blank=True, max_length=2000)
    reminded_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    #: Submitted after the due day.
    submitted_late = models.BooleanField(_("submitted late"), default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    return_reason = models.TextField(_("reason for sending back"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("statistical return")
        verbose_name_plural = _("statistical returns")
        constraints = [
            # The daily job and a cadre may both prepare a month: one return, whoever is first.
            models.UniqueConstraint(
                fields=["organisation", "year", "month"], name="return_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="return_month"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="return_sent_back_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-year", "-month"], name="return_tenant_month_idx"),
            models.Index(fields=["tenant", "status", "due_on"], name="return_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} {self.year}-{self.month:02d}"

    @property
    def period_label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RETURN_STATUSES
