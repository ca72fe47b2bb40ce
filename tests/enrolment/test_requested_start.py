"""The requested start is honoured (SPEC §5; issue 16 item 6; docs/decisions.md): a new
enrolment paid before the start its form asked for is covered from that start for a full
term; paid on or after it, from the day after payment (C1, C2)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrolment.models import Policy
from enrolment.services.lines import lines_import
from tests.enrolment.support import new_enrolment, roster

D = dt.date


@pytest.mark.parametrize(
    "requested, paid, start, end",
    [
        (D(2027, 1, 1), D(2026, 12, 5), D(2027, 1, 1), D(2027, 12, 31)),  # the case
        (D(2027, 1, 1), D(2026, 12, 30), D(2027, 1, 1), D(2027, 12, 31)),
        (D(2027, 1, 1), D(2026, 12, 31), D(2027, 1, 1), D(2027, 12, 31)),  # the day before
        (D(2027, 1, 1), D(2027, 1, 1), D(2027, 1, 2), D(2028, 1, 1)),  # on the day: after it
        (D(2027, 1, 1), D(2027, 1, 20), D(2027, 1, 21), D(2028, 1, 20)),  # late: after it
        (D(2026, 3, 16), D(2026, 3, 15), D(2026, 3, 16), D(2027, 3, 15)),  # C1
        (D(2028, 3, 1), D(2028, 2, 29), D(2028, 3, 1), D(2029, 2, 28)),  # C2
        (D(2028, 3, 1), D(2027, 12, 5), D(2028, 3, 1), D(2029, 2, 28)),  # C2's start, paid early
    ],
)
def test_cover_starts_on_the_later_of_the_requested_start_and_the_day_after_payment(
    requested, paid, start, end, world, plans, units, actors, flow
):
    enrolment = new_enrolment(
        actors.agent, units.a1, plans["gx_designated_disease"], start=requested
    )
    lines_import(actor=actors.agent, enrolment=enrolment, rows=roster(2))
    flow(enrolment, paid=paid)
    assert (enrolment.payment_date, enrolment.coverage_start, enrolment.coverage_end) == (
        paid,
        start,
        end,
    )
    [policy] = Policy.objects.filter(enrolment=enrolment).prefetch_related("tranches")
    assert (policy.start, policy.end) == (start, end)
    [tranche] = policy.tranches.all()  # the 120-day wait runs from the real start
    assert tranche.waiting_end == start + dt.timedelta(days=120)
