"""Cover: an enrolment coming into force (its policies and their share tranches), and a
member's policy ended early.

Invariants: coming into force is the ``bring_into_force`` step of ``workflow.take_step``:
the cover rules are checked again over the real period, then one policy per line, bound to
the enrolment's plan version, and its share tranches are written with COPY in the same
transaction; the database's exclusion constraint (``policy_no_overlap``) is the last guard
against overlapping cover. Periods follow SPEC §5 and §7 (``enrolment.policies``). A policy
ended before it started is cancelled instead: it never covered a day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrolment import access
from enrolment.db import copy_rows
from enrolment.models import (
    Enrolment,
    EnrolmentKind,
    Policy,
    PolicyStatus,
    ShareTranche,
)
from enrolment.policies import (
    ONE_DAY,
    Period,
    addition_period,
    coverage_period,
    renewal_period,
    renewed_in_time,
    requested_period,
    tranches_for,
)
from enrolment.roster_source import roster_lines
from enrolment.rules import Candidate, LineError, Report, check_cover
from enrolment.services.checks import cover_of
from enrolment.services.common import StepRefused, rules_for
from enrolment.services.workflow import clean_reason, take_step
from members.models import Member
from mutualaid.audit.services import record
from mutualaid.core.errors import NON_FIELD, DomainError
from mutualaid.tenancy.scoping import Actor
from plans.terms import terms_of

# --- Coming into force -------------------------------------------------------------------------


def enrolment_bring_into_force(
    *, actor: Actor | None, enrolment: Enrolment, payment_date: dt.date
) -> Enrolment:
    """Invoiced → in force on full payment: one policy per line, bound to the enrolment's
    plan version, with its share tranches. Set-based (COPY), one transaction.

    Coverage (SPEC §5): from the day after ``payment_date`` to the same calendar day a
    term later (C1, C2) — or, paid before the start the enrolment asked for, from that
    start for a full term (issue 16 item 6). A renewal paid by the plan's renewal deadline
    continues the day after the previous period with no new wait for the shares already
    held; later, it starts like a new enrolment and everything waits (SPEC §7). A mid-term
    addition covers from the day after payment to the end of the unit's common period.

    The cover rules are checked again over the real period first (another enrolment may
    have come into force meanwhile); the exclusion constraints are the last guard."""
    if not isinstance(payment_date, dt.date):
        raise DomainError(_("Enter the payment date."), field="payment_date")

    def make_policies(locked: Enrolment) -> tuple[list[str], dict[str, Any]]:
        terms = terms_of(locked.plan_version)
        previous = locked.previous
        in_time = False
        if locked.kind == EnrolmentKind.RENEWAL:
            in_time = renewed_in_time(
                payment_date=payment_date,
                previous_end=previous.coverage_end,
                renewal=terms.raw.get("renewal"),
            )
            period = (
                renewal_period(previous.coverage_end, terms.term_months)
                if in_time
                else coverage_period(payment_date, terms.term_months)
            )
        elif locked.kind == EnrolmentKind.ADDITION:
            try:
                period = addition_period(
                    join_date=payment_date + ONE_DAY,
                    common=Period(previous.coverage_start, previous.coverage_end),
                )
            except ValueError:
                raise DomainError(
                    _("The unit's period has ended: these members can no longer join it."),
                    code="common_period_over",
                ) from None
        else:
            period = coverage_period(payment_date, terms.term_months)
            if locked.start_date > period.start:
                # Paid ahead of the start the form asked for: cover from that start, for a
                # full term (docs/decisions.md, "The requested start is honoured").
                period = requested_period(locked.start_date, terms.term_months)

        rules = rules_for(locked, period=period)
        lines = list(
            roster_lines(locked)
            .order_by("id")
            .values_list("member_id", "member__name", "shares", "tier", "previous_shares")
        )
        cands = [
            Candidate(index=i, row=None, id_number="", name=name, member_id=member_id)
            for i, (member_id, name, *_rest) in enumerate(lines)
        ]
        report = Report()
        cover = cover_of(locked, rules, [c.member_id for c in cands])
        check_cover(rules, cands, report, cover=cover)
        if report.by_index:
            raise StepRefused(
                [
                    LineError(NON_FIELD, e.code, f"{cands[e.index].name}: {e.message}")
                    for e in report.errors()
                ]
            )
        previous_policies = {}
        if previous is not None and locked.kind == EnrolmentKind.RENEWAL:
            previous_policies = dict(
                Policy.objects.filter(enrolment_id=previous.pk)
                .exclude(status=PolicyStatus.CANCELLED)
                .values_list("member_id", "id")
            )
        now = timezone.now()
        policy_rows, tranche_rows = [], []
        for member_id, _name, shares, tier, previous_shares in lines:
            policy_id = uuid.uuid4()
            policy_rows.append(
                (
                    policy_id,
                    locked.tenant_id,
                    locked.organisation_id,
                    locked.unit_id,
                    member_id,
                    locked.pk,
                    locked.plan_id,
                    locked.plan_version_id,
                    locked.exclusive_group,
                    previous_policies.get(member_id),
                    shares,
                    tier,
                    period.start,
                    period.end,
                    PolicyStatus.IN_FORCE,
                    "",
                    now,
                )
            )
            for tranche in tranches_for(
                start=period.start,
                shares=shares,
                waiting_days=terms.waiting_period.days,
                previous_shares=previous_shares if member_id in previous_policies else 0,
                renewed_in_time=in_time,
            ):
                tranche_rows.append(
                    (
                        locked.tenant_id,
                        policy_id,
                        tranche.shares,
                        tranche.start,
                        tranche.waiting_end,
                    )
                )
        written = copy_rows(
            Policy,
            (
                "id",
                "tenant_id",
                "organisation_id",
                "unit_id",
                "member_id",
                "enrolment_id",
                "plan_id",
                "plan_version_id",
                "exclusive_group",
                "previous_id",
                "shares",
                "tier",
                "start",
                "end",
                "status",
                "end_reason",
                "created_at",
            ),
            policy_rows,
        )
        copy_rows(
            ShareTranche, ("tenant_id", "policy_id", "shares", "start", "waiting_end"), tranche_rows
        )
        locked.payment_date = payment_date
        locked.coverage_start, locked.coverage_end = period.start, period.end
        return ["payment_date", "coverage_start", "coverage_end"], {
            "payment_date": payment_date,
            "coverage_start": period.start,
            "coverage_end": period.end,
            "policies": written,
            **({"renewed_in_time": in_time} if locked.kind == EnrolmentKind.RENEWAL else {}),
        }

    try:
        return take_step(actor, enrolment, "bring_into_force", then=make_policies)
    except IntegrityError as error:
        if "policy_no_overlap" in str(error):
            raise DomainError(
                _("Some of these members already hold overlapping cover: check the roster again."),
                code="overlapping_cover",
            ) from None
        raise


# --- Policies ------------------------------------------------------------------------------------


def policy_end(*, actor: Actor, policy: Policy, on: dt.date, reason: str) -> Policy:
    """End a member's cover early (减员, resignation …): ``on`` is the last covered day.

    A policy ended before it started is cancelled instead (it never covered a day)."""
    if not access.can_end_policy(actor, policy):
        raise PermissionDenied(_("You may not end this policy."))
    reason = clean_reason(reason, required=True)
    if not isinstance(on, dt.date):
        raise DomainError(_("Enter the last covered day."), field="on")
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status != PolicyStatus.IN_FORCE:
            raise DomainError(_("This policy is not in force."), code="not_in_force")
        if on >= locked.end:
            raise DomainError(
                _("The cover ends on %(end)s anyway.") % {"end": locked.end.isoformat()},
                field="on",
                code="after_end",
            )
        before = {"status": locked.status, "ended_on": None}
        if on < locked.start:
            locked.status, locked.ended_on = PolicyStatus.CANCELLED, None
        else:
            locked.status, locked.ended_on = PolicyStatus.ENDED, on
        locked.end_reason = reason[:200]
        locked.save(update_fields=["status", "ended_on", "end_reason"])
        record(
            actor=actor,
            action="policy.end",
            obj=locked,
            organisation=locked.organisation,
            before=before,
            after={"status": locked.status, "ended_on": locked.ended_on, "reason": reason},
        )
    policy.status, policy.ended_on, policy.end_reason = (
        locked.status,
        locked.ended_on,
        locked.end_reason,
    )
    return locked


def policies_end_on_resignation(
    *, actor: Actor, member: Member, resigned_on: dt.date
) -> list[Policy]:
    """A member resigned: end the cover of every plan whose terms say resignation ends it
    (绍兴: 本人提出辞职), from the day of resignation. Other plans keep running (SPEC §4)."""
    affected = list(
        Policy.objects.filter(
            tenant_id=member.tenant_id,
            member_id=member.pk,
            status=PolicyStatus.IN_FORCE,
            end__gte=resigned_on,
            plan_version__terms__resignation_ends_cover=True,
        ).select_related("organisation")
    )
    ended = []
    for policy in affected:
        ended.append(
            policy_end(
                actor=actor,
                policy=policy,
                on=resigned_on - ONE_DAY,
                reason=_("Resigned on %(date)s.") % {"date": resigned_on.isoformat()},
            )
        )
    return ended
