"""Drain the outbox when a worker starts.

The beat task that drains every minute needs the broker too, and beat may be down or
restarted later than the worker; a worker that has just connected knows the broker is
up, so it asks for a drain at once. It sends the drain as a task rather than draining
here: this handler runs in the worker's main process, which should not hold database
connections that forked pool processes could inherit.
"""

import logging

from celery.signals import worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect(dispatch_uid="mutualaid.outbox.drain_on_worker_ready")
def drain_when_a_worker_starts(sender=None, **kwargs) -> None:
    from mutualaid.outbox.tasks import drain_outbox

    try:
        drain_outbox.apply_async(ignore_result=True)
    except Exception:  # noqa: BLE001 - never stop a worker from starting; beat drains later
        logger.exception("outbox: could not ask for a drain at worker start")
