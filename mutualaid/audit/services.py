"""Writing the audit log. Call ``record`` inside the service's transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from mutualaid.audit.models import AuditEvent


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record(
    *,
    actor,
    action: str,
    obj,
    organisation,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is an Actor, or None for the system (scheduled jobs)."""
    return AuditEvent.objects.create(
        tenant_id=organisation.tenant_id,
        organisation=organisation,
        actor=actor.user if actor is not None else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
    )


def snapshot(obj, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj``, for before/after pictures."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "pk"):
            value = str(value.pk)
        out[name] = value
    return out
