"""The steps of an enrolment: submit, check, accept, send back, cancel, and the premiums
side's invoice. ``take_step`` is the one way an enrolment's status changes.

Invariants: a step reads ``access.TRANSITIONS`` (from states, target state, who may), the
table the pages and the API read to offer it; it runs under the row lock, and the status, its
timestamp and user, the history row and the audit event are one transaction. Only
``SYSTEM_STEPS`` may be taken without a user (a scheduled job). Submission checks the whole
roster again with ``check_batch`` (marking the lines), the unit's participation rule and that
the funding adds up; problems leave the status as it was and raise ``StepRefused``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment import access
from enrolment.models import FUNDING_PARTIES, Enrolment, EnrolmentKind, EnrolmentLine, LineStatus
from enrolment.notices import notify_step
from enrolment.roster_source import roster_lines
from enrolment.rules import (
    Candidate,
    EnrolmentRules,
    LineError,
    Report,
    check_batch,
    participation_base,
    participation_problems,
)
from enrolment.services.checks import cover_of
from enrolment.services.common import StepRefused, lock_enrolment, record_step, rules_for
from members.models import EmploymentStatus, Member
from mutualaid.audit.services import record
from mutualaid.core.errors import NON_FIELD, DomainError
from mutualaid.tenancy.scoping import Actor

# --- Taking a step -----------------------------------------------------------------------------

#: Step → (timestamp, user) fields it fills.
STEP_FIELDS = {
    "submit": ("submitted_at", "submitted_by"),
    "check": ("checked_at", "checked_by"),
    "accept": ("accepted_at", "accepted_by"),
    "approve_individuals": ("accepted_at", "accepted_by"),
    "send_back": ("returned_at", "returned_by"),
    "cancel": ("cancelled_at", "cancelled_by"),
    "invoice": ("invoiced_at", "invoiced_by"),
    "bring_into_force": ("in_force_at", "in_force_by"),
}


#: Steps a scheduled job may take without a user (the premiums side's).
SYSTEM_STEPS = ("invoice", "bring_into_force")


def take_step(
    actor: Actor | None,
    enrolment: Enrolment,
    step: str,
    *,
    reason: str = "",
    gate: Callable[[Enrolment], list[LineError]] | None = None,
    then: Callable[[Enrolment], tuple[list[str], dict[str, Any]]] | None = None,
) -> Enrolment:
    """Move an enrolment one step, under a row lock: the state must allow it, the actor
    must be allowed, ``gate`` (the rules of the step) must find nothing. The step, its
    timestamp and user, the history row and the audit event are one transaction.

    When ``gate`` finds problems it may have marked lines: that is committed, the state
    does not change, and ``StepRefused`` is raised with the problems."""
    sources, target, allowed = access.TRANSITIONS[step]
    problems: list[LineError] = []
    with transaction.atomic():
        locked = lock_enrolment(enrolment)
        if (actor is None and step not in SYSTEM_STEPS) or (
            actor is not None and not allowed(actor, locked)
        ):
            raise PermissionDenied(_("You may not take this step on this enrolment."))
        if locked.status not in sources:
            raise DomainError(
                _("This enrolment is %(status)s: that step is not possible now.")
                % {"status": locked.get_status_display()},
                code="illegal_transition",
            )
        if gate is not None:
            problems = gate(locked)
        if not problems:
            before = locked.status
            at_field, by_field = STEP_FIELDS[step]
            locked.status = target
            setattr(locked, at_field, timezone.now())
            setattr(locked, by_field, actor.user if actor is not None else None)
            changed = ["status", at_field, by_field, "updated_at"]
            if step == "send_back":
                locked.return_reason = reason
                changed.append("return_reason")
            fields, extra = then(locked) if then is not None else ([], {})
            changed += fields
            locked.save(update_fields=changed)
            record_step(actor, locked, before, target, reason)
            record(
                actor=actor,
                action=f"enrolment.{step}",
                obj=locked,
                organisation=locked.organisation,
                before={"status": before},
                after={"status": target, **({"reason": reason} if reason else {}), **extra},
            )
            notify_step(
                locked,
                step,
                by=actor.user if actor is not None else None,
                at=getattr(locked, at_field),
            )
    if problems:
        raise StepRefused(problems)
    for name in ("status", "return_reason", "payment_date", "coverage_start", "coverage_end"):
        setattr(enrolment, name, getattr(locked, name))
    return locked


def clean_reason(reason: Any, *, required: bool) -> str:
    """A step's (or an ended policy's) reason on one line, at most 1,000 characters."""
    text = " ".join(str(reason or "").split())
    if required and not text:
        raise DomainError(_("Enter the reason."), field="reason", code="reason_required")
    if len(text) > 1000:
        raise DomainError(
            _("The reason may have at most %(max)d characters.") % {"max": 1000},
            field="reason",
            code="reason_length",
        )
    return text


# --- What submission checks --------------------------------------------------------------------


def _submission_problems(enrolment: Enrolment) -> list[LineError]:
    """Everything submission checks (SPEC §5): a roster, every line still valid (lines are
    marked on the roster), the unit's participation rule, the funding adding up."""
    if not roster_lines(enrolment).exists():
        return [
            LineError(NON_FIELD, "roster_empty", _("Add at least one member before submitting."))
        ]
    rules = rules_for(enrolment)
    lines = list(
        roster_lines(enrolment)
        .order_by("id")
        .values_list(
            "id",
            "member_id",
            "member__id_number",
            "member__name",
            "member__sex",
            "member__birth_date",
            "category",
            "member__employment_status",
            "member__organisation_id",
            "shares",
            "tier",
            "previous_shares",
        )
    )
    cands = [
        Candidate(
            index=i,
            row=None,
            id_number=number,
            name=name,
            member_id=member_id,
            sex=sex,
            birth_date=birth,
            category=category,
            employment_status=status,
            shares=shares,
            tier=tier,
            previous_shares=previous,
        )
        for i, (
            _id,
            member_id,
            number,
            name,
            sex,
            birth,
            category,
            status,
            _org,
            shares,
            tier,
            previous,
        ) in enumerate(lines)
    ]
    report = check_batch(
        rules, cands, cover=cover_of(enrolment, rules, [c.member_id for c in cands])
    )
    for cand, line in zip(cands, lines, strict=True):
        if line[8] != enrolment.organisation_id:
            report.add(cand, "member", "member_moved", _("The member has moved to another unit."))
    _mark_lines(enrolment, lines, report)
    problems = []
    if report.by_index:
        problems.append(
            LineError(
                NON_FIELD,
                "lines_invalid",
                _("%(n)d lines of the roster need attention: they are marked below.")
                % {"n": len(report.by_index)},
            )
        )
        for index in sorted(report.by_index)[:20]:
            first = report.by_index[index][0]
            problems.append(
                LineError(
                    NON_FIELD, first.code, f"{cands[index].name}: {first.message}", index=index
                )
            )
    if enrolment.kind != EnrolmentKind.ADDITION:
        eligible, enrolled, source = _participation_counts(enrolment, rules)
        problems += participation_problems(
            rules,
            eligible=eligible,
            enrolled=enrolled,
            source=source,
            declared=enrolment.unit.union_member_count,
        )
    parties = FUNDING_PARTIES[enrolment.funding_mode]
    if len(parties) > 1:
        paid = sum((getattr(enrolment, name) for name in parties), Decimal(0))
        if paid != enrolment.premium_total:
            problems.append(
                LineError(
                    "funding_mode",
                    "funding_sum",
                    _("The parties' amounts add up to ¥%(paid)s, but the premium is ¥%(total)s.")
                    % {"paid": paid, "total": enrolment.premium_total},
                )
            )
    return problems


def _mark_lines(enrolment: Enrolment, lines: Sequence[tuple], report: Report) -> None:
    """Every line's check result in two statements, however long the roster."""
    roster_lines(enrolment).exclude(status=LineStatus.OK, problem="").update(
        status=LineStatus.OK, problem=""
    )
    if not report.by_index:
        return
    ids = [lines[index][0] for index in report.by_index]
    texts = ["; ".join(e.message for e in report.by_index[index]) for index in report.by_index]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {EnrolmentLine._meta.db_table} AS line
                SET status = %s, problem = marks.problem
                FROM unnest(%s::bigint[], %s::text[]) AS marks(id, problem)
                WHERE line.id = marks.id AND line.enrolment_id = %s""",
            [LineStatus.PROBLEM, ids, texts, enrolment.pk],
        )


def birth_date_bounds(rules: EnrolmentRules) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, latest) birth date of members of the plan's age range on the start date."""
    return rules.eligibility.birth_dates(rules.period.start)


def _participation_counts(enrolment: Enrolment, rules: EnrolmentRules) -> tuple[int, int, str]:
    """(eligible members of the unit, of them on the roster, which count was used): one
    query. The base is the unit's declared union membership when recorded, else its
    registered members (``enrolment.rules.participation_base``)."""
    eligible = Q()
    el = rules.eligibility
    if el.in_service_only:
        eligible &= Q(employment_status=EmploymentStatus.IN_SERVICE)
    if el.sex:
        eligible &= Q(sex=el.sex)
    if el.categories:
        eligible &= Q(category__in=el.categories)
    earliest, latest = birth_date_bounds(rules)
    if earliest:
        eligible &= Q(birth_date__gte=earliest)
    if latest:
        eligible &= Q(birth_date__lte=latest)
    on_roster = roster_lines(enrolment).filter(member_id=OuterRef("pk"))
    totals = (
        Member.objects.filter(organisation_id=enrolment.organisation_id)
        .annotate(on=Exists(on_roster))
        .aggregate(
            registered=Count("id"),
            eligible=Count("id", filter=eligible or None),
            enrolled=Count("id", filter=eligible & Q(on=True)),
        )
    )
    base, source = participation_base(
        declared=enrolment.unit.union_member_count,
        registered_eligible=totals["eligible"],
        registered_ineligible=totals["registered"] - totals["eligible"],
    )
    return base, totals["enrolled"], source


# --- The steps ---------------------------------------------------------------------------------


def enrolment_submit(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Draft (or sent back) → submitted, once the roster, participation and funding hold."""
    return take_step(actor, enrolment, "submit", gate=_submission_problems)


def enrolment_check(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Submitted → checked (核定) by a cadre of the county, industry union or city above."""
    return take_step(actor, enrolment, "check")


def enrolment_accept(*, actor: Actor, enrolment: Enrolment) -> Enrolment:
    """Checked → accepted by the office; the premiums side invoices it next."""
    return take_step(actor, enrolment, "accept")


def enrolment_send_back(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """Back to the unit with a reason, from any step before invoicing."""
    return take_step(actor, enrolment, "send_back", reason=clean_reason(reason, required=True))


def enrolment_cancel(*, actor: Actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """Cancelled, with an optional reason, from any step before invoicing."""
    return take_step(actor, enrolment, "cancel", reason=clean_reason(reason, required=False))


def enrolment_step(*, actor: Actor, enrolment: Enrolment, step: str, reason: str = "") -> Enrolment:
    """One of the user steps by name (pages and API): submit, check, accept, send_back, cancel."""
    steps = {
        "submit": lambda: enrolment_submit(actor=actor, enrolment=enrolment),
        "check": lambda: enrolment_check(actor=actor, enrolment=enrolment),
        "accept": lambda: enrolment_accept(actor=actor, enrolment=enrolment),
        "send_back": lambda: enrolment_send_back(actor=actor, enrolment=enrolment, reason=reason),
        "cancel": lambda: enrolment_cancel(actor=actor, enrolment=enrolment, reason=reason),
    }
    if step not in steps:
        raise DomainError(_("Unknown step."), code="unknown_step")
    return steps[step]()


def enrolment_mark_invoiced(*, actor: Actor | None, enrolment: Enrolment) -> Enrolment:
    """Accepted → invoiced. Called by the premiums side when it issues the invoice
    (``actor`` None for a scheduled job); the amounts are ``premium_total`` and the lines'."""
    return take_step(actor, enrolment, "invoice")
