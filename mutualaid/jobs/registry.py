"""Job kinds and their handlers. Apps register a handler per kind in their ``jobs.py``.

A handler is ``handler(job, report) -> JobOutcome``: it does the work (in its own
transaction, so a failure leaves nothing half-written) and calls ``report(done,
total)`` as it goes.

A handler may run again after its worker died mid-way (the reaper re-queues the job):
so it writes in one transaction, or rewrites its file whole. ``JobOutcome.audience_roles``
names the roles allowed to see what the job produced (e.g. whole ID numbers); the
requester must hold one of them to open the job or download its file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutualaid.jobs.models import Job


@dataclass
class JobOutcome:
    result: dict[str, Any] = field(default_factory=dict)
    file_path: Path | None = None
    download_name: str = ""
    message: str = ""
    audience_roles: tuple[str, ...] = ()


Handler = Callable[[Job, Callable[[int, int | None], None]], JobOutcome]
HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return decorator
