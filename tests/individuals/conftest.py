"""Fixtures for individual applications: the seed plans in tenant A with 职工指定疾病(手术)
opened to individuals (a federation's gift), the city federation's people, a clean rate
limit, and a fixed "today"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from plans.models import PlanVersion
from tests.enrolment.conftest import (  # noqa: F401 - the enrolment tests' fixtures, shared
    actors,
    as_user,
    plans,
    units,
)

TODAY = dt.date(2026, 12, 5)
#: The test client's address and the one a test sends from (the rate limit's keys).
ADDRESSES = ("127.0.0.1", "10.0.0.9")
OFFER = {
    "open": True,
    "occupations": ["快递员", "外卖配送员", "网约车司机", "货车司机"],
    "platforms": ["美团", "饿了么", "滴滴", "顺丰"],
    "funding": "federation_gift",
    "shares": 1,
}


@pytest.fixture
def today(monkeypatch):
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else TODAY

    monkeypatch.setattr(timezone, "localdate", localdate)
    return TODAY


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    keys = [f"individuals:apply:{address}" for address in ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def open_version(plans):
    """The in-force version of 职工指定疾病(手术) (¥40 a share, 120 days' wait), opened to
    individuals as the federation's gift."""
    version = plans["gx_designated_disease"].versions.get()
    PlanVersion.objects.filter(pk=version.pk).update(individual_offer=OFFER)
    version.refresh_from_db()
    return version
