"""The health endpoint load balancers poll (SPEC §14 Operations)."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

# Production runs tasks through Redis, so Redis is part of health there.
pytestmark = pytest.mark.usefixtures("tasks_through_redis")


@pytest.fixture
def tasks_through_redis(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_healthy_when_database_and_redis_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert "no-cache" in response["Cache-Control"]  # never served from a cache


def test_needs_no_login(client, db):
    assert client.get("/healthz").status_code == 200


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
def test_503_naming_redis_when_redis_is_down(client, db):
    started = time.monotonic()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["redis"].startswith("error")
    assert time.monotonic() - started < 3  # a dead Redis must not hang the probe


def test_503_naming_the_database_when_it_fails(client, db, monkeypatch):
    from django.db import OperationalError

    class DeadDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("mutualaid.home.views.connection", DeadDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
    assert response.json()["redis"] == "ok"


def test_only_get(client, db):
    assert client.post("/healthz").status_code == 405
