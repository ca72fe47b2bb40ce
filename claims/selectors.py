"""Reads of claims, incident reports and payout batches: the reviewer queue, one claim's
lists, batch pages (the access helpers of one object are in ``claims.access``).

Every read is scoped: it starts from ``for_actor`` or from an object already reached.
The queue is keyset-paged with no COUNT(*) (STYLE habit 11): reviewers work oldest
submission first on ``(submitted_at, id)`` — the order of ``claim_queue_idx`` /
``claim_org_queue_idx`` after ``(tenant|organisation, status)`` — and every other view
(the agent's "my unit's claims", "all") is newest first on ``(created_at, id)``, the
order of ``claim_tenant_new_idx`` / ``claim_org_new_idx``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import (
    REVIEW_STATUSES,
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimStatus,
    IncidentReport,
    LineStatus,
    PayoutBatch,
    PayoutLine,
    ReportStatus,
)
from mutualaid.core.paging import KeysetPage, keyset_page
from mutualaid.core.search import prefix_filter
from mutualaid.tenancy.models import Role
from mutualaid.tenancy.scoping import Actor
from plans.rules import FACTS, PlanTerms

PAGE_SIZE = 50
LINE_PAGE_SIZE = 100

# --- The queue ------------------------------------------------------------------------------


class StatusGroup:
    """Named sets of statuses offered by the queue filter (beside every single status)."""

    REVIEW = "review"  # waiting for a reviewer
    LATE = "late"  # a late report waiting for a reviewer to accept or refuse it
    TO_DO = "to_do"  # waiting for the agent: being prepared, documents requested
    PAYOUT = "payout"  # approved, not paid yet
    ALL = "all"


GROUPS: dict[str, tuple[str, ...]] = {
    StatusGroup.REVIEW: tuple(REVIEW_STATUSES),
    StatusGroup.TO_DO: (ClaimStatus.DRAFT, ClaimStatus.DOCUMENTS_REQUESTED),
    StatusGroup.PAYOUT: (ClaimStatus.APPROVED, ClaimStatus.IN_BATCH),
}
GROUP_LABELS = {
    StatusGroup.REVIEW: _("Waiting for review"),
    StatusGroup.LATE: _("Late reports to decide"),
    StatusGroup.TO_DO: _("Waiting for the unit"),
    StatusGroup.PAYOUT: _("Approved, not paid yet"),
    StatusGroup.ALL: _("All claims"),
}

#: Statuses a claim reaches only through submission, so ``submitted_at`` is set: the
#: queue order (oldest submission first) is used when the filter stays within them.
SUBMITTED_STATUSES = frozenset(
    {
        ClaimStatus.SUBMITTED,
        ClaimStatus.DOCUMENTS_REQUESTED,
        ClaimStatus.INVESTIGATION,
        ClaimStatus.SECOND_APPROVAL,
        ClaimStatus.APPROVED,
        ClaimStatus.IN_BATCH,
        ClaimStatus.PAID,
    }
)
QUEUE_ORDER = ("submitted_at", "id")
RECENT_ORDER = ("-created_at", "-id")

#: What a queue row shows, on the page and in the API list (claims.serializers.ClaimSerializer),
#: and what the keyset reads: no JSON, no columns nobody shows. A column missing here costs
#: one query per row, which the query-count tests of both catch.
QUEUE_COLUMNS = (
    "number",
    "status",
    "event_kind",
    "event_date",
    "cause",
    "submitted_at",
    "created_at",
    "expires_on",
    "assessed_amount",
    "needs_four_eyes",
    "approved_amount",
    "approved_on",
    "payout_due",
    "near_limit",
    "paid_amount",
    "paid_on",
    "member__name",
    "organisation__name",
    "plan__name",
    "plan__short_name",
    "report__number",
    "report__status",
    "report__late",
    "report__deadline",
)

_NUMBER = re.compile(r"^(LP|BA)[0-9A-Z]{6,}$")


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # "" → the actor's default (``default_status``)
    plan: object | None = None  # a Plan the actor may read
    event_kind: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    q: str = ""  # a claim or report number (whole), an ID number (whole), a name prefix
    near_limit: bool = False


def default_status(actor: Actor) -> str:
    """Reviewers open on their work; everyone else on every claim of their subtree."""
    return StatusGroup.REVIEW if actor.has_role(Role.REVIEWER) else StatusGroup.ALL


def queue_statuses(status: str) -> tuple[str, ...] | None:
    """The statuses a filter value stands for (None: any)."""
    if status in GROUPS:
        return GROUPS[status]
    if status in ClaimStatus.values:
        return (status,)
    if status == StatusGroup.LATE:
        return (ClaimStatus.DRAFT,)
    return None


def _search(qs: QuerySet, actor: Actor, text: str) -> QuerySet:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return qs
    number = re.sub(r"\s", "", text).upper()
    if _NUMBER.match(number):
        field = "number" if number.startswith("LP") else "report__number"
        return qs.filter(**{field: number})
    # A whole ID number or the start of a name: the members' own search rule, run as a
    # subquery on the member indexes (tenant, id_number) / (tenant, name, id).
    from members.models import Member
    from members.selectors import member_search_filter, member_search_terms

    kind, value = member_search_terms(text)
    if kind == "name":
        # A name prefix: the claim's own copy of the name (claim_member_name_idx, or read in
        # the row while walking the queue index when the prefix is broad).
        return qs.filter(prefix_filter("member_name", value))
    members = Member.objects.filter(tenant_id=actor.tenant_id).filter(member_search_filter(text))
    return qs.filter(member_id__in=members.values("pk"))


def claim_list(*, actor: Actor, filters: QueueFilters) -> tuple[QuerySet[Claim], tuple[str, ...]]:
    """The actor's claims narrowed by ``filters``, and the keyset order that fits them."""
    status = filters.status or default_status(actor)
    statuses = queue_statuses(status)
    qs = (
        Claim.objects.for_actor(actor)
        .select_related("member", "organisation", "plan", "report")
        .only(*QUEUE_COLUMNS)
    )
    if statuses is not None:
        qs = qs.filter(status=statuses[0]) if len(statuses) == 1 else qs.filter(status__in=statuses)
    if status == StatusGroup.LATE:
        # Late reports are few: found through report_status_idx (tenant, status, …).
        qs = qs.filter(report__tenant_id=actor.tenant_id, report__status=ReportStatus.LATE)
    if filters.plan is not None:
        qs = qs.filter(plan_id=filters.plan.pk)
    if filters.event_kind:
        qs = qs.filter(event_kind=filters.event_kind)
    if filters.submitted_from is not None:
        qs = qs.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to is not None:
        qs = qs.filter(submitted_at__date__lte=filters.submitted_to)
    if filters.near_limit:
        qs = qs.filter(near_limit=True)
        if statuses is None:
            qs = qs.filter(status__in=GROUPS[StatusGroup.PAYOUT])
    qs = _search(qs, actor, filters.q)
    if statuses is not None and SUBMITTED_STATUSES.issuperset(statuses):
        return qs.filter(submitted_at__isnull=False), QUEUE_ORDER
    return qs, RECENT_ORDER


def claim_queue(
    *, actor: Actor, filters: QueueFilters, cursor: str | None = None, size: int | None = None
) -> KeysetPage:
    """One page of the reviewer queue (or of a unit's claims): one query, no COUNT(*), at
    any depth; the claim, its member, unit, plan and report come joined."""
    qs, order = claim_list(actor=actor, filters=filters)
    return keyset_page(qs, order=order, after=cursor, size=size or PAGE_SIZE)


def late_report_count(*, actor: Actor, cap: int = 100) -> int:
    """Late reports waiting for a reviewer (capped: the banner says "100+", no full count)."""
    return (
        IncidentReport.objects.for_actor(actor)
        .filter(status=ReportStatus.LATE)
        .values("pk")[: cap + 1]
        .count()
    )


# --- Deadlines and SLA colours ----------------------------------------------------------------

#: An approved claim must be paid within the plan's payout limit (30 working days, D5);
#: the seeds put the whole office's promise at "30 working days after the papers are
#: complete" (交齐相关资料…审核确认后在30个工作日内给付). A claim under review gets that
#: same 30 working days from its submission as its target, so the queue warns early.
REVIEW_TARGET_WORKING_DAYS = 30
#: Amber: due within this many working days (the daily near-limit job uses the same).
AMBER_WORKING_DAYS = 5


class Sla:
    LATE = "bad"
    SOON = "warn"
    OK = "ok"
    NONE = ""


@dataclass(frozen=True)
class Due:
    date: dt.date | None
    label: str
    sla: str


def due_of(
    claim: Claim, *, calendar, today: dt.date, horizon: dt.date, memo: dict | None = None
) -> Due:
    """The deadline that matters for a claim in its state, and its colour."""
    report = claim.report
    if report.status == ReportStatus.LATE:
        return Due(report.deadline, str(_("report deadline")), Sla.LATE)
    if claim.status in (ClaimStatus.DRAFT, ClaimStatus.DOCUMENTS_REQUESTED):
        date, label = claim.expires_on, _("apply by")
    elif claim.status in REVIEW_STATUSES and claim.submitted_at is not None:
        start = timezone.localtime(claim.submitted_at).date()
        # Rows of a page share submission days: count the working days once per day.
        memo = {} if memo is None else memo
        if start not in memo:
            memo[start] = calendar.add_working_days(start, REVIEW_TARGET_WORKING_DAYS).date
        date = memo[start]
        label = _("decide and pay by")
    elif claim.status in (ClaimStatus.APPROVED, ClaimStatus.IN_BATCH) and claim.payout_due:
        date, label = claim.payout_due, _("pay out by")
    else:
        return Due(None, "", Sla.NONE)
    if date < today:
        sla = Sla.LATE
    elif date <= horizon:
        sla = Sla.SOON
    else:
        sla = Sla.OK
    return Due(date, str(label), sla)


def with_deadlines(rows: list[Claim], *, tenant, today: dt.date) -> list[Claim]:
    """Set ``row.due`` on each claim (the tenant's calendar: two queries, once per page)."""
    if not rows:
        return rows
    from mutualaid.calendar.selectors import work_calendar_for

    calendar = work_calendar_for(tenant)
    horizon = calendar.add_working_days(today, AMBER_WORKING_DAYS).date
    memo: dict = {}
    for row in rows:
        row.due = due_of(row, calendar=calendar, today=today, horizon=horizon, memo=memo)
    return rows


# --- One claim ---------------------------------------------------------------------------------


def claim_decisions(*, claim: Claim) -> list[ClaimDecision]:
    """The claim's steps, oldest first, with who took them (one query)."""
    return list(
        ClaimDecision.objects.filter(claim_id=claim.pk, tenant_id=claim.tenant_id)
        .select_related("actor")
        .order_by("at", "id")
    )


def claim_documents(*, claim: Claim) -> list[ClaimDocument]:
    return list(
        ClaimDocument.objects.filter(claim_id=claim.pk, tenant_id=claim.tenant_id)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )


def claim_payout_lines(*, claim: Claim) -> list[PayoutLine]:
    return list(
        PayoutLine.objects.filter(claim_id=claim.pk, tenant_id=claim.tenant_id)
        .select_related("batch")
        .order_by("id")
    )


#: Facts a formula reads whatever its parameters say.
_FORMULA_FACTS = {
    "per_day": ("hospital_days",),
    "monthly_allowance": ("months",),
    "discretionary": ("decided_amount",),
}
#: The default base of the formulas that read ``params["base"]`` (as in their modules).
_BASE_DEFAULTS = {
    "band_lump_sum": "self_paid",
    "per_unit_of_amount": "self_paid",
    "ratio_of_amount": "self_paid",
    "schedule_percent": "disability_grade",
}


def matching_items(terms: PlanTerms, event_kind: str, cause: str) -> list:
    """The plan's benefit items that answer this event (the engine's own matching rule:
    an accident is caused by an accident when nobody says otherwise)."""
    effective = cause or ("accident" if event_kind == "accident" else None)
    return [item for item in terms.items if item.answers_event(event_kind, effective)]


def needed_facts(terms: PlanTerms, event_kind: str, cause: str) -> list[str]:
    """The facts the plan's formulas (and their conditions on facts) read for this event,
    in the order of ``FACTS``: the application form asks for these and nothing else."""
    wanted: set[str] = set()
    for item in matching_items(terms, event_kind, cause):
        wanted.update(_FORMULA_FACTS.get(item.formula, ()))
        if item.formula in _BASE_DEFAULTS:
            wanted.add(str(item.params.get("base") or _BASE_DEFAULTS[item.formula]))
        for tier in terms.tiers.values():
            base = (tier.item_params.get(item.code) or {}).get("base")
            if base:
                wanted.add(str(base))
        wanted.update(item.fact_limits)
    return [name for name in FACTS if name in wanted]


def needs_condition(terms: PlanTerms, event_kind: str, cause: str) -> bool:
    """Whether the diagnosed condition decides anything for this event."""
    if not terms.covered_conditions:
        return False
    return any(
        item.conditions or item.excluded_conditions
        for item in matching_items(terms, event_kind, cause)
    )


# --- Payout batches ------------------------------------------------------------------------------

BATCH_ORDER = ("-built_at", "-id")
LINE_ORDER = ("id",)


def batch_page(*, actor: Actor, cursor: str | None = None, size: int = PAGE_SIZE) -> KeysetPage:
    """The office's batches, newest first (``batch_tenant_new_idx``); one query."""
    qs = PayoutBatch.objects.for_actor(actor).select_related("built_by", "approved_by")
    return keyset_page(qs, order=BATCH_ORDER, after=cursor, size=size)


def batch_lines_page(
    *, batch: PayoutBatch, cursor: str | None = None, size: int = LINE_PAGE_SIZE
) -> KeysetPage:
    """A page of a batch's lines with their claim, member and unit (one query)."""
    qs = (
        PayoutLine.objects.filter(batch_id=batch.pk, tenant_id=batch.tenant_id)
        .select_related("claim__member", "claim__organisation")
        .defer("claim__assessment", "claim__facts", "claim__member__id_number")
    )
    return keyset_page(qs, order=LINE_ORDER, after=cursor, size=size)


@dataclass(frozen=True)
class BatchSummary:
    pending: int
    paid: int
    failed: int
    paid_total: Decimal


def batch_summary(*, batch: PayoutBatch) -> BatchSummary:
    """Lines by state (one aggregate over the batch's lines)."""
    row = PayoutLine.objects.filter(batch_id=batch.pk, tenant_id=batch.tenant_id).aggregate(
        pending=Count("pk", filter=Q(status=LineStatus.PENDING)),
        paid=Count("pk", filter=Q(status=LineStatus.PAID)),
        failed=Count("pk", filter=Q(status=LineStatus.FAILED)),
        paid_total=Sum("amount", filter=Q(status=LineStatus.PAID)),
    )
    return BatchSummary(
        pending=row["pending"],
        paid=row["paid"],
        failed=row["failed"],
        paid_total=row["paid_total"] or Decimal("0.00"),
    )


@dataclass(frozen=True)
class Waiting:
    count: int
    total: Decimal
    near_limit: int
    first_due: dt.date | None


def waiting_for_batch(*, actor: Actor) -> Waiting:
    """Approved claims not in a batch yet: what "build a batch now" would gather (one
    aggregate on ``(tenant, status, …)``; approved claims are few, they leave within days)."""
    row = (
        Claim.objects.for_actor(actor)
        .filter(status=ClaimStatus.APPROVED, approved_amount__gt=0)
        .aggregate(
            count=Count("pk"),
            total=Sum("approved_amount"),
            near=Count("pk", filter=Q(near_limit=True)),
            first=Min("payout_due"),
        )
    )
    return Waiting(
        count=row["count"],
        total=row["total"] or Decimal("0.00"),
        near_limit=row["near"],
        first_due=row["first"],
    )


# --- Incident reports -----------------------------------------------------------------------

REPORT_ORDER = ("-created_at", "-id")


def report_list(*, actor: Actor) -> QuerySet[IncidentReport]:
    """The reports of the actor's subtree with member, unit, plan and claim joined."""
    return (
        IncidentReport.objects.for_actor(actor)
        .select_related("member", "organisation", "plan", "claim")
        .defer("member__id_number")
    )


def report_page(*, actor: Actor, status_: str, cursor: str | None, size: int) -> KeysetPage:
    """Newest first on (created_at, id) — ``report_org_new_idx`` / ``report_status_idx``."""
    qs = report_list(actor=actor)
    if status_ in ReportStatus.values:
        qs = qs.filter(status=status_)
    return keyset_page(qs, order=REPORT_ORDER, after=cursor, size=size)
