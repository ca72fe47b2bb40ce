"""Bad configuration stops the process at start-up, naming the variable (mutualaid/env.py).

Each case imports the production settings in a fresh interpreter with one thing wrong.
The environment is built from scratch: the test settings have put development values
into this process's environment, which must not leak into the cases.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

GOOD = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DATABASE_URL": "postgres://mutualaid@db.example.org:5432/mutualaid",
    "ALLOWED_HOSTS": "huzhu.example.org",
}
# Every variable the settings read is dropped from the inherited environment.
SETTINGS_VARS = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_URL",
    "DEMO",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "AXES_PROXY_COUNT",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_VISIBILITY_TIMEOUT",
    "CELERY_TASK_ALWAYS_EAGER",
    "API_RATE",
    "SESSION_COOKIE_AGE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "DEFAULT_FROM_EMAIL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "DJANGO_SETTINGS_MODULE",
}

# Reading one setting imports the settings module, which is where every check lives.
LOAD_SETTINGS = "import django; from django.conf import settings; print(settings.DEBUG)"


def _load(**overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    env.update(GOOD)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_good_production_configuration_loads():
    result = _load()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param(
            {"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean", id="debug-not-a-boolean"
        ),
        pytest.param({"DEBUG": "flase"}, "DEBUG='flase' is not a boolean", id="debug-typo"),
        pytest.param(
            {"DB_CONN_MAX_AGE": "sixty"},
            "DB_CONN_MAX_AGE='sixty' is not an integer",
            id="not-an-integer",
        ),
        pytest.param(
            {"SECURE_HSTS_SECONDS": "1e6"},
            "SECURE_HSTS_SECONDS='1e6' is not an integer",
            id="not-an-integer-either",
        ),
        pytest.param(
            {"SECRET_KEY": None},
            "SECRET_KEY is required when DEBUG is off",
            id="secret-key-missing",
        ),
        pytest.param(
            {"SECRET_KEY": ""}, "SECRET_KEY is required when DEBUG is off", id="secret-key-empty"
        ),
        pytest.param(
            {"DATABASE_URL": None},
            "DATABASE_URL is required when DEBUG is off",
            id="database-url-missing",
        ),
        pytest.param(
            {"DATABASE_URL": "mysql://root@localhost/mutualaid"},
            "DATABASE_URL must point at PostgreSQL",
            id="database-url-not-postgres",
        ),
        pytest.param(
            {"DATABASE_URL": "sqlite:///db.sqlite3", "DEBUG": "true"},
            "DATABASE_URL must point at PostgreSQL",
            id="sqlite-not-even-in-development",
        ),
        pytest.param({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be plain or json", id="log-format"),
    ],
)
def test_bad_configuration_fails_loudly(overrides, message):
    result = _load(**overrides)
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_development_needs_no_configuration():
    # DEBUG=true alone is enough on a developer's machine (make demo relies on it).
    result = _load(DEBUG="true", SECRET_KEY=None, DATABASE_URL=None, ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
