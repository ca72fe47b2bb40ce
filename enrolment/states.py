"""The state a policy or an enrolment is shown in: one rule, derived from its dates and its
status as of a day, in two forms that must agree — a pure function for one object, and a
``Case``/``When`` expression for lists, filters and exports (SQL).

Nothing flips a record's status when its period ends (no nightly job rewrites ten million
policies), so the stored status alone says "in force" for cover that ended last year.
Every page, export, API field and statistic that shows a state reads it from here
(``tests/enrolment/test_states.py`` holds both forms to one table of cases).

A policy on day ``d`` (its last covered day is ``ended_on`` when cover stopped early,
else ``end``; both ends of a period are covered days, SPEC §5):

=========================  ============  ========================  ====================
status                     d < start     start ≤ d ≤ last day      d > last day
=========================  ============  ========================  ====================
in_force                   not_started   in_force                  expired (ended, when
                                                                   ``ended_on`` is set)
ended (stopped early)      not_started   in_force                  ended
lapsed                     lapsed        lapsed                    lapsed
cancelled                  cancelled     cancelled                 cancelled
=========================  ============  ========================  ====================

An enrolment shows its workflow status (draft … invoiced, sent back, cancelled) until it
is in force; then its coverage dates decide as above (not yet started, in force, expired).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrolment.models import EnrolmentStatus, PolicyStatus


class CoverState:
    """The states cover is shown in (values are stable: filters and the API use them)."""

    NOT_STARTED = "not_started"
    IN_FORCE = "in_force"
    EXPIRED = "expired"
    ENDED = "ended"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"

    choices = (
        (NOT_STARTED, _("Not yet started")),
        (IN_FORCE, _("In force")),
        (EXPIRED, _("Expired")),
        (ENDED, _("Ended early")),
        (LAPSED, _("Lapsed")),
        (CANCELLED, _("Cancelled")),
    )
    values = tuple(value for value, _label in choices)


#: Policy statuses whose cover runs over its dates (the others never cover a day).
COVERING_STATUSES = (PolicyStatus.IN_FORCE.value, PolicyStatus.ENDED.value)

POLICY_STATE_LABELS = dict(CoverState.choices)
#: An enrolment's states: its workflow statuses, "in force" split by the dates.
ENROLMENT_STATE_CHOICES = (
    *((value, label) for value, label in EnrolmentStatus.choices if value != "in_force"),
    (CoverState.NOT_STARTED, POLICY_STATE_LABELS[CoverState.NOT_STARTED]),
    (CoverState.IN_FORCE, POLICY_STATE_LABELS[CoverState.IN_FORCE]),
    (CoverState.EXPIRED, POLICY_STATE_LABELS[CoverState.EXPIRED]),
)
ENROLMENT_STATE_LABELS = dict(ENROLMENT_STATE_CHOICES)


def today() -> dt.date:
    """The day states are judged on by default: today in the project's zone (Asia/Shanghai)."""
    return timezone.localdate()


# --- One object --------------------------------------------------------------------------------


def policy_state(
    *,
    status: str,
    start: dt.date,
    end: dt.date,
    ended_on: dt.date | None = None,
    as_of: dt.date | None = None,
) -> str:
    """The ``CoverState`` of a policy on ``as_of`` (default: today)."""
    day = as_of or today()
    if status not in COVERING_STATUSES:
        return CoverState.CANCELLED if status == PolicyStatus.CANCELLED else CoverState.LAPSED
    if day < start:
        return CoverState.NOT_STARTED
    if day <= (ended_on or end):
        return CoverState.IN_FORCE
    if status == PolicyStatus.ENDED or ended_on is not None:
        return CoverState.ENDED
    return CoverState.EXPIRED


def enrolment_state(
    *,
    status: str,
    coverage_start: dt.date | None,
    coverage_end: dt.date | None,
    as_of: dt.date | None = None,
) -> str:
    """The state an enrolment is shown in on ``as_of``: its workflow status, or, once in
    force, where the day falls in its cover."""
    if status != EnrolmentStatus.IN_FORCE or coverage_start is None or coverage_end is None:
        return status
    day = as_of or today()
    if day < coverage_start:
        return CoverState.NOT_STARTED
    if day <= coverage_end:
        return CoverState.IN_FORCE
    return CoverState.EXPIRED


# --- Querysets (the same rule in SQL) ----------------------------------------------------------


def policy_state_expression(as_of: dt.date | None = None) -> Case:
    """``policy_state`` as an expression over ``Policy`` rows: annotate, filter, export."""
    day = as_of or today()
    return Case(
        When(status=PolicyStatus.CANCELLED, then=Value(CoverState.CANCELLED)),
        When(~Q(status__in=COVERING_STATUSES), then=Value(CoverState.LAPSED)),
        When(start__gt=day, then=Value(CoverState.NOT_STARTED)),
        When(_covers(day), then=Value(CoverState.IN_FORCE)),
        When(
            Q(status=PolicyStatus.ENDED) | Q(ended_on__isnull=False),
            then=Value(CoverState.ENDED),
        ),
        default=Value(CoverState.EXPIRED),
        output_field=CharField(),
    )


def _covers(day: dt.date) -> Q:
    # The last covered day is ``ended_on`` when cover stopped early, else ``end``.
    return Q(ended_on__gte=day) | Q(ended_on__isnull=True, end__gte=day)


def enrolment_state_expression(as_of: dt.date | None = None) -> Case:
    """``enrolment_state`` as an expression over ``Enrolment`` rows."""
    day = as_of or today()
    in_force = Q(
        status=EnrolmentStatus.IN_FORCE, coverage_start__isnull=False, coverage_end__isnull=False
    )
    return Case(
        When(in_force & Q(coverage_start__gt=day), then=Value(CoverState.NOT_STARTED)),
        When(in_force & Q(coverage_end__gte=day), then=Value(CoverState.IN_FORCE)),
        When(in_force, then=Value(CoverState.EXPIRED)),
        default=F("status"),
        output_field=CharField(),
    )


def policy_covering_on(day: dt.date) -> Q:
    """Policies whose cover runs on ``day`` (state "in force"): a filter for lists and counts."""
    return Q(status__in=COVERING_STATUSES, start__lte=day) & _covers(day)


def enrolment_state_filter(state: str, as_of: dt.date | None = None) -> Q:
    """Enrolments shown in ``state`` on ``as_of``: the expression's cases as a filter that the
    status index serves (a workflow status is itself; "in force" splits by the dates)."""
    day = as_of or today()
    in_force = Q(status=EnrolmentStatus.IN_FORCE)
    if state == CoverState.NOT_STARTED:
        return in_force & Q(coverage_start__gt=day)
    if state == CoverState.IN_FORCE:
        return in_force & (
            Q(coverage_start__isnull=True)
            | Q(coverage_end__isnull=True)
            | Q(coverage_start__lte=day, coverage_end__gte=day)
        )
    if state == CoverState.EXPIRED:
        return in_force & Q(coverage_end__lt=day)
    return Q(status=state)
