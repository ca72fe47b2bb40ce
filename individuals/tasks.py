"""Thin Celery tasks of individual applications: ids in, a service call, safe to run twice.

``send_decision_texts`` is enqueued through the outbox by the cadre's decision (approve or
refuse) and texts each applicant once: a second delivery finds them told
(``services.decision_texts_send``). The tenant's scope comes from ``tenant_id``
(``TenantTask``).
"""

from __future__ import annotations

from celery import shared_task

from individuals.services import decision_texts_send


@shared_task(name="individuals.tasks.send_decision_texts")
def send_decision_texts(tenant_id: str, ids: list[str]) -> int:
    """Text the decided applicants ``ids`` of tenant ``tenant_id``; how many messages went."""
    return decision_texts_send(ids=ids)
