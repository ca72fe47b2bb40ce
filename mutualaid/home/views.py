"""The staff home page — the work inbox (待办, ``mutualaid.home.inbox``), counts in the actor's
subtree, recent activity, calendar notice — and
``/healthz`` (database and Redis)."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mutualaid.home import selectors
from mutualaid.home.inbox import inbox
from mutualaid.tenancy.access import staff_required


@staff_required()
def home(request):
    actor = request.actor
    context = {
        "inbox": inbox(actor),
        "counts": selectors.home_counts(actor=actor),
        "calendar_notice": selectors.calendar_notice(actor=actor),
        "recent_events": selectors.recent_events(actor=actor),
    }
    return render(request, "home/home.html", context)


@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers: the database answers and Redis answers."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The no-Redis demo runs tasks in-process; Redis is not part of its health.
        checks["redis"] = "not used (tasks run eagerly)"
    else:
        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            client.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" or value.startswith("not used") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
