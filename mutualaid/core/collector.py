"""The cyclic garbage collector paused over a bulk step (a roster read and checked).

    with collector_paused():
        ...  # allocates hundreds of thousands of objects that live until the step ends

Reading and checking a 50,000-row roster allocates about a million small objects (row
mappings, candidates, cleaned values) that all live until the step ends. Python's collector
runs each time allocations outnumber frees by 700, and the older generations are traversed
again and again as they grow: a quarter of the import's Python time at 50,000 rows went to
collections that found nothing to free (docs/decisions.md, "Roster import at 20,000
rows/s"). Reference counting still frees every object as usual while paused; only reference
cycles wait, and the first collection after the step takes them.

The pause is process-wide (``gc.disable``), so it is counted: nested or concurrent steps
(threads of one process) keep it until the last one ends, and the collector is switched
back on only if it was on when the first one began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the ``with`` block (counted across threads)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
