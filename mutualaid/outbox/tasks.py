from celery import shared_task

from mutualaid.outbox import services


@shared_task(name="mutualaid.outbox.tasks.drain_outbox", ignore_result=True)
def drain_outbox() -> dict:
    """Publish what the outbox still holds (beat every minute, and when a worker starts).
    Safe to run twice or side by side: rows are claimed with SKIP LOCKED."""
    result = services.drain()
    return {"published": result.published, "pending": result.pending, "error": result.error}
