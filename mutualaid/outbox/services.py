"""Writing to the outbox, publishing right after the commit, and draining what is left.

``enqueue`` is the one way to start background work from a write: the row commits or
rolls back with the write. Publishing uses the broker timeouts of the settings (a dead
broker fails in well under a second) and passes ``ignore_result``: nothing waits for
these results, and subscribing to the result store is what made a request hang for
19 s when Redis was down.

After a broker failure the process stops trying to publish at commit time for
``PAUSE_AFTER_FAILURE`` seconds (per broker URL), so during an outage whose connections
time out rather than being refused only one request in that window pays the timeout;
the drain always tries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from mutualaid.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

#: Rows claimed per drain transaction (the drain loops until none are left).
DRAIN_BATCH = 500
#: Seconds without publishing at commit time after the broker failed (the drain still runs).
PAUSE_AFTER_FAILURE = 10.0
#: Sent rows are kept this long (what went out, for an operator), then deleted by the drain.
KEEP_SENT = timedelta(days=7)

# What "the broker is unreachable" looks like: kombu wraps connection errors in its
# OperationalError; a timeout or a reset socket can surface as an OSError.
BROKER_ERRORS = (OperationalError, OSError)

_paused_until: dict[str, float] = {}


def enqueue(task, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Send ``task(*args, **kwargs)`` to the workers once the surrounding transaction
    commits, and never lose it: the row is part of the transaction. Arguments must be
    JSON (ids as strings); the task must be safe to run twice."""
    name = task if isinstance(task, str) else task.name
    message = OutboxMessage.objects.create(task=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: publish_now(message.pk))
    return message


def publish_now(message_id: int) -> bool:
    """Publish one committed row (the on-commit half of ``enqueue``). Never raises: a
    failure leaves the row pending for the drain. True when it went out here."""
    if _paused():
        logger.info("outbox: message %s waits for the drain (the broker just failed)", message_id)
        return False
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, sent_at__isnull=True)
                .first()
            )
            if message is None:
                return False  # the drain holds it, or already sent it
            error = _publish(message)
            _record([message], error)
            return error is None
    except Exception:  # noqa: BLE001 - the user's change is committed; the drain retries
        logger.exception("outbox: could not publish message %s after commit", message_id)
        return False


@dataclass
class DrainResult:
    published: int = 0  # rows marked sent
    sent: int = 0  # messages the broker took (identical pending rows go out as one)
    pending: int = 0  # rows left pending
    error: str = ""  # why the drain stopped early (the broker is unreachable)


def drain(*, batch: int = DRAIN_BATCH) -> DrainResult:
    """Publish every pending row, oldest first, each exactly once: rows are claimed with
    ``SELECT … FOR UPDATE SKIP LOCKED`` and marked sent in the claiming transaction, so
    two drains (beat, a worker start, an operator) never send the same row.

    Identical pending rows (same task and arguments, e.g. "mail the notifications" queued
    by a hundred requests during an outage) go out as one message: tasks are idempotent,
    so the second would find nothing to do. Stops at the first broker error and leaves
    the rest pending. Also deletes sent rows older than ``KEEP_SENT``."""
    _import_tasks()
    result = DrainResult()
    after = 0  # rows that failed for another reason stay pending: do not claim them again
    while not result.error:
        with transaction.atomic():
            claimed = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, pk__gt=after)
                .order_by("id")[:batch]
            )
            if not claimed:
                break
            after = claimed[-1].pk
            for group in _identical(claimed):
                error = _publish(group[0])
                _record(group, error)
                if error is None:
                    result.published += len(group)
                    result.sent += 1
                elif _is_broker_error(error):
                    result.error = error
                    break
        if len(claimed) < batch:
            break
    if result.published:
        _resume()
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    result.pending = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    return result


# --- publishing ----------------------------------------------------------------------------

_BROKER_DOWN = "broker unreachable: "


def _publish(message: OutboxMessage) -> str | None:
    """Hand one message to the broker; None when it took it, else the error's text."""
    app = current_app
    task = app.tasks.get(message.task)
    try:
        if task is not None:
            # apply_async, not send_task: it honours CELERY_TASK_ALWAYS_EAGER (development).
            task.apply_async(args=message.args, kwargs=message.kwargs, ignore_result=True)
        else:
            # Not imported in this process (or renamed since): the worker may know it.
            app.send_task(
                message.task, args=message.args, kwargs=message.kwargs, ignore_result=True
            )
    except BROKER_ERRORS as exc:
        _pause()
        logger.warning(
            "outbox: %s stays pending, the broker is unreachable (%s)", message.task, exc
        )
        return f"{_BROKER_DOWN}{exc}"[:2000]
    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the others
        logger.exception("outbox: could not publish %s (message %s)", message.task, message.pk)
        return f"{type(exc).__name__}: {exc}"[:2000]
    return None


def _record(messages: list[OutboxMessage], error: str | None) -> None:
    ids = [m.pk for m in messages]
    if error is None:
        OutboxMessage.objects.filter(pk__in=ids).update(sent_at=timezone.now())
    else:
        OutboxMessage.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, last_error=error
        )


def _is_broker_error(error: str) -> bool:
    return error.startswith(_BROKER_DOWN)


def _identical(messages: Iterable[OutboxMessage]) -> list[list[OutboxMessage]]:
    groups: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        key = repr((message.task, message.args, sorted(message.kwargs.items())))
        groups.setdefault(key, []).append(message)
    return list(groups.values())


def _import_tasks() -> None:
    """Register every app's tasks (as a worker does), so rows are sent by their task
    object; the management command runs in a process that imported none of them."""
    current_app.loader.import_default_modules()


# --- the pause after a broker failure ------------------------------------------------------


def _broker_key() -> str:
    return str(current_app.conf.broker_url)


def _paused() -> bool:
    return _paused_until.get(_broker_key(), 0.0) > time.monotonic()


def _pause() -> None:
    _paused_until[_broker_key()] = time.monotonic() + PAUSE_AFTER_FAILURE


def _resume() -> None:
    _paused_until.pop(_broker_key(), None)
