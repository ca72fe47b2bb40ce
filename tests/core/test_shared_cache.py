"""Throttling counts in a store every process shares (issue 12, item 9): the API's rate limit
in the Redis cache, login failures (django-axes) in the database. A second process stands
for a second gunicorn worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.test import override_settings

from mutualaid.api.throttling import UserRateThrottle
from tests import factories

REPO = Path(__file__).resolve().parents[2]

# Another worker: three API requests of one user under a limit of five an hour.
OTHER_WORKER = """
import sys
from types import SimpleNamespace
import django
django.setup()
from mutualaid.api.throttling import UserRateThrottle

class FivePerHour(UserRateThrottle):
    rate = "5/hour"

request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=sys.argv[1]))
assert all(FivePerHour().allow_request(request, None) for _ in range(3))
"""


class FivePerHour(UserRateThrottle):
    rate = "5/hour"


def _request(user_id: str):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=user_id))


def test_the_cache_is_redis(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_the_api_limit_holds_across_processes():
    user_id = f"throttle-test-{uuid.uuid4()}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, user_id],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # This process sees the other one's three requests: two more pass, the sixth is refused.
    results = [FivePerHour().allow_request(_request(user_id), None) for _ in range(3)]
    assert results == [True, True, False]


BROKEN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_with_the_cache_down_the_api_still_answers_at_once(world, login):
    client = login(world.agent)
    with override_settings(CACHES=BROKEN_CACHE):
        started = time.monotonic()
        response = client.get("/api/v1/units/")
        elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 2


def test_login_failures_are_counted_in_the_database(world, client):
    from axes.models import AccessAttempt

    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    user = factories.make_staff(world.unit, "agent", username="wrong-password")
    client.post("/accounts/login/", {"username": user.username, "password": "not-it"})
    client.post("/accounts/login/", {"username": user.username, "password": "still-not"})
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == 2
