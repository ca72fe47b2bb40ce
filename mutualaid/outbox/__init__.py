"""The transactional outbox: work for the workers is written to a table in the same
transaction as the change that calls for it, then published to the broker.

A write never depends on Redis being up. ``enqueue`` adds a row to the caller's
transaction; after the commit the row is published at once with a short broker timeout,
and marked sent. When the broker cannot be reached the row stays pending, the failure is
logged, and the user's request answers as if nothing happened: the drain (a beat task
every minute, a task sent when a worker starts, and ``manage.py drain_outbox``)
publishes it once the broker is back.

Invariants: a row is published by whoever holds its lock (``FOR UPDATE SKIP LOCKED``)
and marked sent in the same transaction, so it goes out once; only a crash between the
broker's acknowledgement and the commit can send it again, and every task sent through
the outbox is idempotent (ids in, work claimed in the data).
"""
