"""Creating and editing a draft enrolment: its kind (new, renewal, mid-term addition), plan
version, period, and how its premium is funded.

Invariants: an enrolment is bound to the plan version in force on its start (a renewal's
start is the day after the previous period; an addition keeps the previous enrolment's
version) and its period comes from ``enrolment.policies``; only the funding mode's paying
parties carry an amount, and a single payer's amount is kept equal to the premium; a
renewal's roster is prepared through the same checks as any line, and the members left out
are listed with the reason in ``dropped``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from enrolment import access
from enrolment.models import (
    FUNDING_PARTIES,
    PARTY_FIELDS,
    Enrolment,
    EnrolmentKind,
    EnrolmentStatus,
    FundingMode,
    Policy,
    PolicyStatus,
)
from enrolment.policies import ONE_DAY, Period, addition_period, renewal_period, requested_period
from enrolment.rules import renewal_leaving
from enrolment.services.common import lock_enrolment, record_step, require_editable
from enrolment.services.lines import import_rows, sync_single_payer
from members.models import Unit
from mutualaid.audit.services import record
from mutualaid.core.errors import DomainError
from mutualaid.money import parse_amount
from mutualaid.tenancy.scoping import Actor
from plans.models import Plan
from plans.selectors import version_in_force
from plans.terms import terms_of


def _money(raw: Any, field_name: str) -> Decimal:
    try:
        value = parse_amount(raw if raw not in (None, "") else "0")
    except (TypeError, ValueError):
        raise DomainError(
            _("Enter an amount in yuan."), field=field_name, code="amount_invalid"
        ) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise DomainError(
            _("Enter an amount in yuan, not negative, with at most 2 decimals."),
            field=field_name,
            code="amount_invalid",
        )
    return value.quantize(Decimal("0.01"))


def clean_funding(mode: Any, amounts: Mapping[str, Any]) -> dict[str, Any]:
    """The funding mode and each party's amount, checked: only the mode's parties pay.

    A mode with one payer takes the whole premium (kept equal to it as lines change); a
    mode with several needs their amounts, which must add up to the premium on submission."""
    if mode not in FundingMode.values:
        raise DomainError(_("Choose how the premium is funded."), field="funding_mode")
    values = {name: _money(amounts.get(name), name) for name in PARTY_FIELDS}
    parties = FUNDING_PARTIES[mode]
    for name, value in values.items():
        if name not in parties and value:
            raise DomainError(
                _("This party does not pay under the chosen funding mode; leave it at 0."),
                field=name,
                code="party_not_paying",
            )
    return {"funding_mode": mode, **values}


def _plan_offered_to(plan: Plan, unit: Unit) -> bool:
    """A tenant-wide plan (owned by the office), or a local plan of the unit's city line."""
    return plan.tenant_id == unit.tenant_id and unit.organisation.path.startswith(
        plan.organisation.path
    )


def enrolment_create(
    *,
    actor: Actor,
    unit: Unit,
    plan: Plan | None = None,
    start_date: dt.date | None = None,
    kind: str = EnrolmentKind.NEW,
    previous: Enrolment | None = None,
    funding_mode: str = FundingMode.UNION,
    administration_amount: Any = 0,
    union_amount: Any = 0,
    member_amount: Any = 0,
    federation_amount: Any = 0,
    note: str = "",
    copy_previous: bool = True,
) -> Enrolment:
    """A draft enrolment of ``unit`` into ``plan``, bound to the version in force on its start.

    - ``new``: cover asked from ``start_date`` for the version's term;
    - ``renewal`` of ``previous`` (in force): continues the day after it ends, under the
      version in force then; with ``copy_previous`` its roster is prepared from the
      previous policies (same members, same shares), leaving out — with the reason, in
      ``dropped`` — members who left, died, moved or no longer qualify (SPEC §7);
    - ``addition`` to ``previous`` (in force): members joining mid-term from
      ``start_date`` to the end of the unit's common period, under its version, paying by
      the plan's mid-term rule (SPEC §3, §5).
    """
    if not access.can_draft(actor, unit.organisation):
        raise PermissionDenied(_("You may not enrol the members of this unit."))
    if kind not in EnrolmentKind.values:
        raise DomainError(_("Choose the kind of enrolment."), field="kind")
    funding = clean_funding(
        funding_mode,
        {
            "administration_amount": administration_amount,
            "union_amount": union_amount,
            "member_amount": member_amount,
            "federation_amount": federation_amount,
        },
    )
    if kind != EnrolmentKind.NEW:
        if previous is None or previous.unit_id != unit.pk:
            raise DomainError(_("Choose the enrolment this one follows."), field="previous")
        if previous.status != EnrolmentStatus.IN_FORCE:
            raise DomainError(
                _("Only an enrolment in force can be renewed or added to."),
                field="previous",
                code="previous_not_in_force",
            )
        plan = previous.plan
    if plan is None:
        raise DomainError(_("Choose a plan."), field="plan")
    if not _plan_offered_to(plan, unit):
        raise DomainError(_("This plan is not offered to this unit."), field="plan")

    if kind == EnrolmentKind.RENEWAL:
        start_date = previous.coverage_end + ONE_DAY
        version = version_in_force(plan=plan, on_date=start_date)
    elif kind == EnrolmentKind.ADDITION:
        version = previous.plan_version
        if start_date is None:
            raise DomainError(_("Enter the date cover should start."), field="start_date")
        if not previous.coverage_start <= start_date <= previous.coverage_end:
            raise DomainError(
                _("Members added mid-term join the unit's period, %(start)s to %(end)s.")
                % {"start": previous.coverage_start, "end": previous.coverage_end},
                field="start_date",
                code="outside_common_period",
            )
    else:
        if start_date is None:
            raise DomainError(_("Enter the date cover should start."), field="start_date")
        version = version_in_force(plan=plan, on_date=start_date)
    if version is None:
        raise DomainError(
            _("No published version of this plan is in force on %(date)s.")
            % {"date": start_date.isoformat()},
            field="start_date",
            code="no_version",
        )
    terms = terms_of(version)
    if kind == EnrolmentKind.ADDITION:
        if terms.mid_term_addition == "not_allowed":
            raise DomainError(
                _("This plan does not take members mid-term."),
                field="kind",
                code="addition_not_allowed",
            )
        period = addition_period(
            join_date=start_date,
            common=Period(previous.coverage_start, previous.coverage_end),
        )
    elif kind == EnrolmentKind.RENEWAL:
        period = renewal_period(previous.coverage_end, terms.term_months)
    else:
        period = requested_period(start_date, terms.term_months)

    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            tenant_id=unit.tenant_id,
            unit=unit,
            organisation=unit.organisation,
            plan=plan,
            plan_version=version,
            exclusive_group=terms.exclusive_group or "",
            kind=kind,
            previous=previous,
            start_date=period.start,
            end_date=period.end,
            note=str(note or "").strip(),
            created_by=actor.user,
            **funding,
        )
        record_step(actor, enrolment, "", EnrolmentStatus.DRAFT)
        record(
            actor=actor,
            action="enrolment.create",
            obj=enrolment,
            organisation=unit.organisation,
            after={
                "kind": kind,
                "plan": str(plan.pk),
                "plan_version": str(version.pk),
                "start": period.start,
                "end": period.end,
                "previous": str(previous.pk) if previous else None,
                **funding,
            },
        )
        if kind == EnrolmentKind.RENEWAL and copy_previous:
            _prepare_renewal_roster(actor, enrolment)
    return enrolment


def _prepare_renewal_roster(actor: Actor, enrolment: Enrolment) -> None:
    """Same members, same shares (SPEC §7), through the same checks as any line; members
    who cannot continue are left out with the reason shown to the agent."""
    policies = (
        Policy.objects.filter(enrolment_id=enrolment.previous_id)
        .exclude(status=PolicyStatus.CANCELLED)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=enrolment.previous.coverage_end))
        .select_related("member__organisation")
        .order_by("member__name", "member_id")
    )
    rows, dropped = [], []
    for policy in policies:
        member = policy.member
        leaving = renewal_leaving(
            employment_status=member.employment_status,
            moved_to=member.organisation.name
            if member.organisation_id != enrolment.organisation_id
            else None,
        )
        if leaving:
            dropped.append({"member": str(member.pk), "name": member.name, "reason": leaving[1]})
        else:
            rows.append({"member": member, "shares": policy.shares, "tier": policy.tier})
    report = import_rows(actor, enrolment, rows, only_valid=True, preview=False, audit=False)
    # "Dropped with a reason" (SPEC §7): the first problem the rules report, as the renewal
    # job's SQL names it (enrolment.renewals).
    reasons: dict[int, str] = {}
    for error in report.errors:
        reasons.setdefault(error.index, error.message)
    for index, reason in reasons.items():
        member = rows[index]["member"]
        dropped.append({"member": str(member.pk), "name": member.name, "reason": reason})
    dropped.sort(key=lambda d: (d["name"], d["member"]))  # as the renewal job lists them
    enrolment.dropped = dropped
    enrolment.save(update_fields=["dropped", "updated_at"])
    record(
        actor=actor,
        action="enrolment.renewal_prepared",
        obj=enrolment,
        organisation=enrolment.organisation,
        after={"lines": report.lines_written, "dropped": len(dropped)},
    )


def enrolment_update(
    *,
    actor: Actor,
    enrolment: Enrolment,
    funding_mode: str,
    administration_amount: Any = 0,
    union_amount: Any = 0,
    member_amount: Any = 0,
    federation_amount: Any = 0,
    note: str = "",
) -> Enrolment:
    """Funding and note of a draft (or sent-back) enrolment."""
    if not access.can_draft(actor, enrolment.organisation):
        raise PermissionDenied(_("You may not change this enrolment."))
    funding = clean_funding(
        funding_mode,
        {
            "administration_amount": administration_amount,
            "union_amount": union_amount,
            "member_amount": member_amount,
            "federation_amount": federation_amount,
        },
    )
    with transaction.atomic():
        locked = lock_enrolment(enrolment)
        require_editable(locked)
        before = {
            "funding_mode": locked.funding_mode,
            **locked.party_amounts(),
            "note": locked.note,
        }
        for name, value in funding.items():
            setattr(locked, name, value)
        locked.note = str(note or "").strip()
        sync_single_payer(locked)
        locked.save(update_fields=[*funding, "note", "updated_at"])
        record(
            actor=actor,
            action="enrolment.update",
            obj=locked,
            organisation=locked.organisation,
            before=before,
            after={**funding, "note": locked.note},
        )
    return locked
