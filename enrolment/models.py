"""Enrolments (参保), their rosters, and the policies a paid enrolment brings into force.

An ``Enrolment`` is one unit's 参保登记表 for one plan and one period; its
``EnrolmentLine`` rows are the roster (人员名册), one member each. It moves through
named states (``EnrolmentStatus``) by the services only, each step recorded in
``StatusChange`` (who, when, why) and in the audit log.

A paid enrolment creates one ``Policy`` per member, bound to the plan version the
enrolment was sold under, with its coverage period and ``ShareTranche`` rows (shares
bought together, each with its own waiting-period end).

Scoping: an enrolment belongs to its unit's node (``organisation``, kept equal to the
unit by a check constraint, as on ``Member``). A policy keeps the node of the unit
that enrolled the member: members transfer (SPEC §4) and their cover stays with the
enrolment that paid for it, so a policy is read through its own ``organisation`` (or
the member's current unit, which handles the claims), never through ``member.unit``
alone.

Two exclusion constraints make the cover rules hold in the database, whatever code
path writes policies: no member holds the same plan twice over overlapping days, nor
two plans of one exclusive group (SPEC §3). ``plan`` and ``exclusive_group`` are
copied onto the policy from its version for that purpose (a constraint cannot join).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from members.models import MemberCategory
from mutualaid.tenancy.base import TenantForeignKey, TenantModel, tenant_key
from mutualaid.tenancy.scoping import Actor, ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0.00")}


class EnrolmentKind(models.TextChoices):
    NEW = "new", _("New enrolment")
    RENEWAL = "renewal", _("Renewal")
    ADDITION = "addition", _("Mid-term addition")


class EnrolmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHECKED = "checked", _("Checked")
    ACCEPTED = "accepted", _("Accepted")
    INVOICED = "invoiced", _("Invoiced")
    IN_FORCE = "in_force", _("In force")
    RETURNED = "returned", _("Sent back")
    CANCELLED = "cancelled", _("Cancelled")


#: States in which the unit edits the roster.
EDITABLE_STATUSES = (EnrolmentStatus.DRAFT, EnrolmentStatus.RETURNED)
#: States of an enrolment still on its way to cover: its lines count as "already enrolled".
OPEN_STATUSES = (
    EnrolmentStatus.DRAFT,
    EnrolmentStatus.RETURNED,
    EnrolmentStatus.SUBMITTED,
    EnrolmentStatus.CHECKED,
    EnrolmentStatus.ACCEPTED,
    EnrolmentStatus.INVOICED,
)


class FundingMode(models.TextChoices):
    """资金来源 (SPEC §5): five modes, plus cover gifted by a federation (赠送保障)."""

    ADMINISTRATION = "administration", _("Unit administration pays all")
    UNION = "union", _("Union pays all")
    ADMINISTRATION_UNION = "administration_union", _("Administration and union")
    ADMINISTRATION_UNION_MEMBER = (
        "administration_union_member",
        _("Administration, union and member"),
    )
    MEMBER = "member", _("Member pays all")
    FEDERATION_GIFT = "federation_gift", _("Gift of a federation")


#: Which party amounts each mode uses (the others must be zero).
FUNDING_PARTIES: dict[str, tuple[str, ...]] = {
    FundingMode.ADMINISTRATION: ("administration_amount",),
    FundingMode.UNION: ("union_amount",),
    FundingMode.ADMINISTRATION_UNION: ("administration_amount", "union_amount"),
    FundingMode.ADMINISTRATION_UNION_MEMBER: (
        "administration_amount",
        "union_amount",
        "member_amount",
    ),
    FundingMode.MEMBER: ("member_amount",),
    FundingMode.FEDERATION_GIFT: ("federation_amount",),
}
PARTY_FIELDS = ("administration_amount", "union_amount", "member_amount", "federation_amount")
#: The users who took an enrolment's steps (NULL until then): partial indexes, see below.
STEP_USER_FIELDS = (
    "created_by",
    "submitted_by",
    "checked_by",
    "accepted_by",
    "invoiced_by",
    "in_force_by",
    "returned_by",
    "cancelled_by",
)


def _step_user() -> models.ForeignKey:
    """Who took one step of an enrolment: NULL until it happens; no plain index (a partial
    index of the rows that name a user is in ``Enrolment.Meta``)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )


class Enrolment(TenantModel):
    """One unit's enrolment of members into one plan for one period (参保登记表)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = TenantForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("unit")
    )
    # Always the unit's node (check constraint): subtree scoping on the node's path. No
    # foreign key of its own in the database: the check constraint (= unit) and the unit's
    # key (members_unit is keyed by, and refers to, its organisation) already guarantee
    # the node exists and cannot be deleted under the enrolment; a second check per row
    # only slowed down bulk inserts (the renewal run, SPEC §14).
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by (plan, status) in Meta, which serves look-ups by plan alone as well.
    plan = TenantForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("plan"),
        db_index=False,
    )
    plan_version = TenantForeignKey(
        "plans.PlanVersion",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("plan version"),
    )
    #: Copied from the version's terms: the cover checks look for it across plans.
    exclusive_group = models.CharField(max_length=50, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=EnrolmentKind.choices, default=EnrolmentKind.NEW
    )
    previous = TenantForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("previous enrolment"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.DRAFT,
    )
    #: The period asked for: checks of overlapping cover use it until payment fixes the
    #: real one (``coverage_start``/``coverage_end``).
    start_date = models.DateField(_("requested start"))
    end_date = models.DateField(_("requested end"))

    funding_mode = models.CharField(
        _("funding"), max_length=32, choices=FundingMode.choices, default=FundingMode.UNION
    )
    administration_amount = models.DecimalField(_("paid by the unit administration"), **MONEY)
    union_amount = models.DecimalField(_("paid by the union"), **MONEY)
    member_amount = models.DecimalField(_("paid by the members"), **MONEY)
    federation_amount = models.DecimalField(_("gifted by the federation"), **MONEY)
    note = models.TextField(_("note"), blank=True)

    # Totals of the roster, kept by the services in the same transaction as the lines
    # (a list of enrolments must not sum 50,000 lines each).
    member_count = models.PositiveIntegerField(_("members"), default=0)
    share_count = models.PositiveIntegerField(_("shares"), default=0)
    premium_total = models.DecimalField(_("premium"), **MONEY)

    return_reason = models.TextField(_("reason for sending back"), blank=True)
    #: Renewal drafts: members of the previous roster left out, with the reason.
    dropped = models.JSONField(_("members left out"), default=list, blank=True)
    #: Renewal drafts of the daily run: the roster held by reference to the previous
    #: enrolment's policies until something reads or edits it (``enrolment.roster_source``):
    #: the continuing members in roster order, their categories and new premiums. NULL once
    #: the lines are written (and for every other enrolment).
    roster_members = ArrayField(models.UUIDField(), null=True, blank=True, editable=False)
    roster_categories = ArrayField(
        models.CharField(max_length=20), null=True, blank=True, editable=False
    )
    roster_premiums = ArrayField(
        models.DecimalField(max_digits=12, decimal_places=2), null=True, blank=True, editable=False
    )

    payment_date = models.DateField(_("payment date"), null=True, blank=True)
    coverage_start = models.DateField(_("cover from"), null=True, blank=True)
    coverage_end = models.DateField(_("cover until"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    # Who took each step: NULL until the step happens (a draft has them all NULL), and only
    # ever looked up by a user, so each has a partial index of the rows that name a user
    # (``STEP_USER_FIELDS`` in Meta) — a renewal run's 50,000 drafts write none of them.
    created_by = _step_user()
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = _step_user()
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = _step_user()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = _step_user()
    invoiced_at = models.DateTimeField(null=True, blank=True)
    invoiced_by = _step_user()
    in_force_at = models.DateTimeField(null=True, blank=True)
    in_force_by = _step_user()
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = _step_user()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = _step_user()

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit=F("organisation")), name="enrolment_organisation_is_its_unit"
            ),
            # The target of the composite foreign keys (enrolment_id, tenant_id) of roster
            # lines and steps (migration 0002): a row's tenant is its enrolment's tenant.
            models.UniqueConstraint(fields=["id", "tenant"], name="enrolment_id_tenant_key"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="enrolment_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(kind="new") | Q(previous__isnull=False),
                name="enrolment_follow_up_has_previous",
            ),
            models.CheckConstraint(
                condition=Q(administration_amount__gte=0)
                & Q(union_amount__gte=0)
                & Q(member_amount__gte=0)
                & Q(federation_amount__gte=0),
                name="enrolment_amounts_not_negative",
            ),
        ]
        indexes = [
            # The list, newest first (keyset: created_at, id), within a tenant or a unit.
            models.Index(fields=["tenant", "-created_at", "-id"], name="enrolment_tenant_new_idx"),
            models.Index(
                fields=["organisation", "-created_at", "-id"], name="enrolment_org_new_idx"
            ),
            models.Index(fields=["plan", "status"], name="enrolment_plan_status_idx"),
            # The work inbox's queues (enrolment.inbox): the few enrolments waiting for a
            # person, whatever the size of the tenant's history.
            models.Index(
                fields=["tenant", "status"],
                condition=Q(status__in=["returned", "submitted", "checked", "accepted"]),
                name="enrolment_waiting_idx",
            ),
            *(
                models.Index(
                    fields=[field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"enrolment_{field}_idx",
                )
                for field in STEP_USER_FIELDS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.plan.display_name} · {self.start_date:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def state(self) -> str:
        """The state it is shown in today: its workflow status, or once in force where today
        falls in its cover (``enrolment.states``)."""
        from enrolment.states import enrolment_state

        return enrolment_state(
            status=self.status, coverage_start=self.coverage_start, coverage_end=self.coverage_end
        )

    @property
    def state_label(self) -> str:
        from enrolment.states import ENROLMENT_STATE_LABELS

        return str(ENROLMENT_STATE_LABELS[self.state])

    def party_amounts(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in PARTY_FIELDS}


class LineStatus(models.TextChoices):
    OK = "ok", _("Valid")
    PROBLEM = "problem", _("Needs attention")


class EnrolmentLine(TenantModel):
    """One member on an enrolment's roster. Written only after the enrolment rules passed;
    ``status`` flags a line that a later check (at submission) found wrong."""

    id = models.BigAutoField(primary_key=True)
    # ``tenant`` and ``enrolment`` are checked by ONE composite foreign key in the database,
    # (enrolment_id, tenant_id) → enrolment (id, tenant_id) (migration 0002; Django cannot
    # declare it, hence db_constraint=False on both fields): the enrolment exists, and the
    # line's tenant IS its enrolment's tenant — stronger than two separate keys, and one
    # check per inserted line instead of two (the renewal run writes a million lines,
    # and each deferred check at COMMIT costs; docs/benchmarks.md).
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by enrolment_line_order_idx (enrolment, id) below.
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by the unique constraint below, which leads with the member.
    member = TenantForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="enrolment_lines",
        db_index=False,
    )
    shares = models.PositiveSmallIntegerField(_("shares"))
    tier = models.CharField(_("tier"), max_length=50, blank=True)
    #: The member's category when enrolled (eligibility was judged on it).
    category = models.CharField(_("category"), max_length=20, choices=MemberCategory.choices)
    #: Shares held under the previous enrolment (renewals keep them without a new wait).
    previous_shares = models.PositiveSmallIntegerField(default=0)
    premium = models.DecimalField(_("premium"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("validation"), max_length=8, choices=LineStatus.choices, default=LineStatus.OK
    )
    problem = models.TextField(_("problem"), blank=True)
    #: The roster row it came from (1-based, as the spreadsheet numbers it), if any.
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "enrolment__organisation"

    class Meta:
        verbose_name = _("roster line")
        verbose_name_plural = _("roster lines")
        constraints = [
            # Member first: the same index finds a member's lines (cover checks, deleting a
            # member), so the table needs no index on the member alone — three indexes to
            # write per line, not four (a renewal run writes a million lines).
            models.UniqueConstraint(
                fields=["member", "enrolment"], name="enrolment_line_member_once"
            ),
            models.CheckConstraint(condition=Q(shares__gte=1), name="enrolment_line_shares"),
        ]
        indexes = [
            # The roster in the order it was entered (keyset on id), at 50,000 lines.
            models.Index(fields=["enrolment", "id"], name="enrolment_line_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} × {self.shares}"


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


def _cover_range():
    # Both days covered ('[]'); a policy ended early covers up to its ``ended_on``.
    return DateRange(
        "start",
        Coalesce("ended_on", "end"),
        RangeBoundary(inclusive_lower=True, inclusive_upper=True),
    )


class PolicyStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended early")
    LAPSED = "lapsed", _("Lapsed")
    CANCELLED = "cancelled", _("Cancelled")


class PolicyQuerySet(ScopedQuerySet):
    def for_actor(self, actor: Actor | None) -> PolicyQuerySet:
        """Policies of the units the actor reaches, and of the members they reach now.

        The enrolling unit keeps sight of the cover it paid for; after a transfer the
        member's new unit sees it too, because claims go through the new unit (SPEC §4).
        """
        if actor is None:
            return self.none()
        return self.filter(tenant_id=actor.tenant.pk).filter(
            Q(organisation__path__startswith=actor.path)
            | Q(member__organisation__path__startswith=actor.path)
        )


class Policy(TenantModel):
    """One member's cover under one plan version for one period."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No key of its own: the composite keys (…, tenant_id) → parent (id, tenant_id) already
    # prove the tenant exists, and one deferred check fewer per row counts on bulk writes
    # (roster import, renewals; docs/benchmarks.md "Tenancy in the database").
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    #: The enrolling unit's node (not the member's unit today).
    organisation = TenantForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = TenantForeignKey(
        "members.Unit", on_delete=models.PROTECT, related_name="policies", db_index=False
    )
    member = TenantForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="policies", db_index=False
    )
    enrolment = TenantForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="policies", db_index=False
    )
    plan = TenantForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    plan_version = TenantForeignKey(
        "plans.PlanVersion", on_delete=models.PROTECT, related_name="policies"
    )
    exclusive_group = models.CharField(max_length=50, blank=True)
    #: The policy this one renews (continuity of cover).
    previous = TenantForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shares = models.PositiveSmallIntegerField(_("shares"))
    tier = models.CharField(_("tier"), max_length=50, blank=True)
    start = models.DateField(_("cover from"))
    end = models.DateField(_("cover until"))
    status = models.CharField(
        _("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.IN_FORCE
    )
    #: Last covered day when cover stopped before ``end`` (removal, resignation…).
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyQuerySet.as_manager()
    scope_org_field = "organisation"

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            tenant_key(),
            models.UniqueConstraint(
                fields=["enrolment", "member"], name="policy_once_per_enrolment"
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="policy_dates_in_order"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start")),
                name="policy_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(shares__gte=1), name="policy_shares"),
            ExclusionConstraint(
                name="policy_no_overlap_in_plan",
                expressions=[
                    (F("member"), RangeOperators.EQUAL),
                    (F("plan"), RangeOperators.EQUAL),
                    (_cover_range(), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="cancelled"),
            ),
            ExclusionConstraint(
                name="policy_no_overlap_in_group",
                expressions=[
                    (F("member"), RangeOperators.EQUAL),
                    (F("exclusive_group"), RangeOperators.EQUAL),
                    (_cover_range(), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="cancelled") & ~Q(exclusive_group=""),
            ),
        ]
        indexes = [
            models.Index(fields=["member", "start"], name="policy_member_idx"),
            models.Index(fields=["organisation", "start"], name="policy_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    @property
    def last_covered_day(self):
        return self.ended_on or self.end

    @property
    def state(self) -> str:
        """The state it is shown in today (``enrolment.states``: nothing flips the status when
        the period ends, so the record alone would say "in force" for last year's cover)."""
        from enrolment.states import policy_state

        return policy_state(
            status=self.status, start=self.start, end=self.end, ended_on=self.ended_on
        )

    @property
    def state_label(self) -> str:
        from enrolment.states import POLICY_STATE_LABELS

        return str(POLICY_STATE_LABELS[self.state])


class ShareTranche(TenantModel):
    """Shares of a policy bought together, with their own first covered day after the wait."""

    id = models.BigAutoField(primary_key=True)
    # No key of its own: the policy's composite key proves the tenant (see Policy.tenant).
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    policy = TenantForeignKey(Policy, on_delete=models.CASCADE, related_name="tranches")
    shares = models.PositiveSmallIntegerField(_("shares"))
    start = models.DateField(_("held from"))
    #: First day these shares answer items with a waiting period (== start: no wait).
    waiting_end = models.DateField(_("waiting period ends"))

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "policy__organisation"

    class Meta:
        verbose_name = _("share tranche")
        verbose_name_plural = _("share tranches")
        ordering = ["policy", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gte=1), name="share_tranche_shares"),
            models.CheckConstraint(
                condition=Q(waiting_end__gte=F("start")), name="share_tranche_wait_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shares} × {self.start:%Y-%m-%d}"


class StatusChange(TenantModel):
    """One step of an enrolment: from, to, who, when, and the reason when it was sent back."""

    id = models.BigAutoField(primary_key=True)
    # One composite foreign key (enrolment_id, tenant_id) → enrolment (id, tenant_id) in
    # the database, as on ``EnrolmentLine`` (migration 0002).
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="history", db_constraint=False
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=EnrolmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=EnrolmentStatus.choices)
    #: NULL for steps taken by the system (the renewal run): partial index, see Meta.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_org_field = "enrolment__organisation"

    class Meta:
        verbose_name = _("enrolment step")
        verbose_name_plural = _("enrolment steps")
        ordering = ["enrolment", "at", "id"]
        indexes = [
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="enrolment_step_actor_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
