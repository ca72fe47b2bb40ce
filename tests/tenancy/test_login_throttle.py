"""Login throttling with django-axes, through the real login form (SPEC §14 Security).

The limit is 5 failures per user name and IP address (AXES_FAILURE_LIMIT); the
fifth wrong password already answers with the locked-out page, HTTP 429.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
LOCKED = "Too many failed log-ins"


@pytest.fixture
def browser():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _fail(client, username, times):
    return [_log_in(client, username, "Wrong-pass-1").status_code for _ in range(times)]


def test_limit_is_five(settings):
    assert settings.AXES_FAILURE_LIMIT == 5


def test_five_wrong_passwords_lock_the_user_name(world, browser):
    assert _fail(browser, "agent", 4) == [200, 200, 200, 200]  # the form again, with its error
    locked = _log_in(browser, "agent", "Wrong-pass-1")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    assert "registration/locked_out.html" in [t.name for t in locked.templates]


def test_the_right_password_is_refused_during_the_cool_off(world, browser):
    _fail(browser, "agent", 5)
    response = _log_in(browser, "agent", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in browser.session
    assert browser.get("/").status_code == 302  # still anonymous: home sends to the login page


def test_other_users_are_not_locked_out(world, browser):
    _fail(browser, "agent", 5)
    response = _log_in(browser, "sibling_agent", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_success_before_the_limit_resets_the_count(world, browser):
    assert _fail(browser, "agent", 4) == [200] * 4
    assert _log_in(browser, "agent", PASSWORD).status_code == 302
    browser.post("/accounts/logout/")
    # Four more failures: had the count not been reset, the first would have locked.
    assert _fail(browser, "agent", 4) == [200] * 4
    assert _log_in(browser, "agent", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(world, browser):
    _fail(browser, "agent", 5)
    # Age the lock instead of waiting: move the failures back past the cool-off.
    from axes.models import AccessAttempt, AccessAttemptExpiration

    past = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.filter(username="agent").update(attempt_time=past)
    AccessAttemptExpiration.objects.filter(access_attempt__username="agent").update(expires_at=past)
    assert _log_in(browser, "agent", PASSWORD).status_code == 302


def test_behind_the_proxy_a_lock_holds_one_client_not_everyone(world, settings):
    """Behind one proxy (AXES_PROXY_COUNT=1) the lock is per user name and client address:
    five failures from one client lock that client out, not a colleague signing in as the
    same user from another desk through the same proxy."""
    settings.PROXY_COUNT = 1
    here = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.1")
    here.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    there = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.1")
    there.defaults["HTTP_X_FORWARDED_FOR"] = "203.0.113.8"
    _fail(here, "agent", 5)
    assert _log_in(here, "agent", PASSWORD).status_code == 429
    assert _log_in(there, "agent", PASSWORD).status_code == 302
