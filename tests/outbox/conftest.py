"""Outbox fixtures: Redis made unreachable for the web (a closed port), and the claims
fixtures the end-to-end test writes through."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests.claims.conftest import covered, seed_plans  # noqa: F401 - re-exported fixtures

#: Nothing listens here: connections are refused at once, as when Redis is stopped.
CLOSED = "redis://127.0.0.1:1/0"


def _reset_connections(app) -> None:
    """Forget the pooled broker connections and the result store client, so the next
    publish connects to whatever the configuration says now (as a fresh process would).
    The pools stay open in kombu's registry, keyed by URL: the real one is found again."""
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.backend = None


@pytest.fixture
def redis_down(settings):
    """``with redis_down(): ...``: the broker, the result store and any Redis cache point
    at a closed port; afterwards the real Redis again."""
    from mutualaid.outbox import services
    from portal.celery import app

    # A warm process: the broker transport is imported (as in a web worker that has
    # served requests), so the time measured is the dead broker's, not Python's imports.
    assert app.connection_for_write().transport is not None

    @contextmanager
    def down():
        saved = (app.conf.broker_url, app.conf.result_backend)
        saved_caches = settings.CACHES
        settings.CACHES = {
            alias: {**conf, "LOCATION": CLOSED} if "redis" in conf["BACKEND"].lower() else conf
            for alias, conf in saved_caches.items()
        }
        _reset_connections(app)
        app.conf.broker_url = app.conf.result_backend = CLOSED
        services._paused_until.clear()  # each test starts in a process that saw no failure
        try:
            yield
        finally:
            _reset_connections(app)
            app.conf.broker_url, app.conf.result_backend = saved
            settings.CACHES = saved_caches

    return down


@pytest.fixture
def published():
    """The task names the broker accepted during the test (Celery's own signal)."""
    from celery.signals import after_task_publish

    names: list[str] = []

    def on_publish(sender=None, headers=None, **kwargs):
        names.append((headers or {}).get("task", sender))

    after_task_publish.connect(on_publish, weak=False)
    yield names
    after_task_publish.disconnect(on_publish)
    from portal.celery import app

    app.control.purge()  # no worker ran: leave no message for the next test's worker
