"""A bulk roster import checks and writes with the cyclic garbage collector paused
(mutualaid.core.collector, issue 19), and leaves it on."""

from __future__ import annotations

import gc
import sys

from enrolment.services import lines
from tests.enrolment.support import new_enrolment, roster


def test_a_bulk_import_runs_no_garbage_collection_and_leaves_the_collector_on(actors, units, plans):
    """From ``BULK_ROWS`` rows the cyclic collector is paused over the check and the write
    (mutualaid.core.collector): none of its passes runs while rows are checked or written,
    and it is on again afterwards. A smaller batch is checked with it on, as everything
    else."""
    passes = []  # passes that ran while rows were being checked or written

    def count(phase, info):
        if phase != "start":
            return
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name in ("evaluate", "_write"):
                passes.append(info["generation"])
                return
            frame = frame.f_back

    small = new_enrolment(actors.agent, units.a1, plans["gx_designated_disease"])
    large = new_enrolment(actors.agent, units.a1, plans["gx_group_accident"])
    small_rows = roster(*[1] * 300)
    half = lines.BULK_ROWS // 2  # 500 fresh ID numbers per birth date (factories)
    large_rows = roster(*[1] * half, birth="19810101") + roster(
        *[1] * half, birth="19820101", first_row=2 + half
    )
    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        lines.lines_import(actor=actors.agent, enrolment=small, rows=small_rows)
        during_small = len(passes)
        lines.lines_import(actor=actors.agent, enrolment=large, rows=large_rows)
        during_large = len(passes) - during_small
    finally:
        gc.callbacks.remove(count)
    assert during_small > 0  # 300 rows already make the collector run
    assert during_large == 0
    assert gc.isenabled()
    assert large.lines.count() == lines.BULK_ROWS
