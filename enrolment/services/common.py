"""What every enrolment write shares: the plan rules of an enrolment, the row lock, the
editable-state guard, the status history row, and the refusals that carry the problems.

Invariants: a write locks the enrolment row (``lock_enrolment``) before it reads the roster
or the state, so two writes to one enrolment take turns; the roster changes only while the
enrolment is a draft or sent back (``require_editable``); each status change writes one
``StatusChange`` row (``record_step``) in the transaction that makes it. A refusal's error
dict holds at most ``MAX_MESSAGES`` messages; the report it carries keeps them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from enrolment.models import Enrolment, StatusChange
from enrolment.policies import Period
from enrolment.roster_source import HELD_FIELDS, materialise
from enrolment.rules import EnrolmentRules, LineError
from mutualaid.core.errors import NON_FIELD, DomainError
from plans.terms import terms_of

#: At most this many messages go into a refusal's error dict (the report keeps them all).
MAX_MESSAGES = 200


# --- Reports and refusals ---------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a roster check found, and what it wrote.

    ``errors`` are per row and column (``LineError.as_dict()`` for JSON); ``valid`` and
    ``invalid`` count rows. ``written`` is False for a preview and for a refused import."""

    total: int = 0
    valid: int = 0
    invalid: int = 0
    errors: list[LineError] = field(default_factory=list)
    members_created: int = 0
    lines_written: int = 0
    written: bool = False
    preview: bool = False

    @property
    def rows_with_errors(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row is not None})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "valid": self.valid,
            "invalid": self.invalid,
            "members_created": self.members_created,
            "lines_written": self.lines_written,
            "written": self.written,
            "preview": self.preview,
            "errors": [e.as_dict() for e in self.errors],
        }


def error_dict(errors: Sequence[LineError]) -> dict[str, list[ValidationError]]:
    out: dict[str, list[ValidationError]] = {}
    for error in errors[:MAX_MESSAGES]:
        out.setdefault(error.field, []).append(ValidationError(error.text, code=error.code))
    if len(errors) > MAX_MESSAGES:
        out.setdefault(NON_FIELD, []).append(
            ValidationError(
                _("… and %(n)d more problems.") % {"n": len(errors) - MAX_MESSAGES},
                code="more",
            )
        )
    return out


class RosterRejected(DomainError):
    """Lines were refused and nothing was written; ``report`` says which and why."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(error_dict(report.errors))


class StepRefused(DomainError):
    """A step was refused by the rules (not by the state or the role); ``errors`` are the
    problems (lines marked on the roster, participation, funding)."""

    def __init__(self, errors: Sequence[LineError]):
        self.errors = list(errors)
        super().__init__(error_dict(self.errors))


# --- An enrolment's rules, lock and history ----------------------------------------------------


def rules_for(enrolment: Enrolment, *, period: Period | None = None) -> EnrolmentRules:
    """The rules of ``enrolment``'s plan version over ``period`` (default: its requested one)."""
    return EnrolmentRules.build(
        terms_of(enrolment.plan_version),
        kind=enrolment.kind,
        period=period or Period(enrolment.start_date, enrolment.end_date),
        plan_id=enrolment.plan_id,
        plan_name=enrolment.plan.display_name,
    )


def record_step(actor, enrolment: Enrolment, before: str, after: str, reason: str = "") -> None:
    """The history row of a status change ("" → draft when the enrolment is created)."""
    StatusChange.objects.create(
        tenant_id=enrolment.tenant_id,
        enrolment=enrolment,
        from_status=before,
        to_status=after,
        actor=actor.user if actor is not None else None,
        reason=reason,
    )


def lock_enrolment(enrolment: Enrolment) -> Enrolment:
    """The enrolment row, locked for this transaction, with its unit, plan and version."""
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("organisation", "unit", "plan", "plan_version")
        .get(pk=enrolment.pk)
    )
    # Whoever locks a draft is about to edit, check, submit or invoice it: a roster held by
    # reference (renewal run) is written out first (enrolment.roster_source).
    materialise(locked)
    for name in HELD_FIELDS:
        setattr(enrolment, name, None)
    return locked


def require_editable(enrolment: Enrolment) -> None:
    if not enrolment.is_editable:
        raise DomainError(
            _("The roster can only be changed while the enrolment is a draft or sent back."),
            code="not_editable",
        )
