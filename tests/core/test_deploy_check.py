"""``manage.py check --deploy`` is clean with production settings (SPEC §14), and the
portal's own checks for PDF dependencies say what is missing (mutualaid/core/checks.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error, Warning
from django.test import override_settings

from mutualaid.core import checks

REPO = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    # Built from scratch: the test settings put development values into os.environ.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "DEBUG", "LOG_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="huzhu.example.org",
        CSRF_TRUSTED_ORIGINS="https://huzhu.example.org",
        DATABASE_URL=os.environ["DATABASE_URL"],
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


@pytest.fixture
def missing(monkeypatch):
    """``missing("harfbuzz")`` / ``missing("font")`` pretend the OS lacks that piece."""

    def _missing(*pieces: str) -> None:
        if "harfbuzz" in pieces:
            monkeypatch.setattr(checks, "harfbuzz_subset_present", lambda: False)
        if "font" in pieces:
            monkeypatch.setattr(checks, "cjk_font_present", lambda: False)

    monkeypatch.setattr(checks, "harfbuzz_subset_present", lambda: True)
    monkeypatch.setattr(checks, "cjk_font_present", lambda: True)
    return _missing


def _ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_nothing_to_say_when_both_are_present(missing):
    assert checks.pdf_dependencies_deploy() == []
    with override_settings(DEBUG=True):
        assert checks.pdf_dependencies_development() == []


def test_under_deploy_a_missing_piece_is_an_error(missing):
    missing("harfbuzz", "font")
    messages = checks.pdf_dependencies_deploy()
    assert _ids(messages) == ["mutualaid.E001", "mutualaid.E002"]
    assert all(isinstance(m, Error) for m in messages)
    assert "libharfbuzz-subset0" in messages[0].hint
    assert "fonts-noto-cjk" in messages[1].hint


def test_on_a_developer_machine_it_is_a_warning(missing):
    missing("font")
    with override_settings(DEBUG=True):
        messages = checks.pdf_dependencies_development()
    assert _ids(messages) == ["mutualaid.W002"]
    assert isinstance(messages[0], Warning)


def test_production_start_up_is_not_slowed_or_blocked(missing):
    # DEBUG off without --deploy: the deploy check is the gate, not every process start.
    missing("harfbuzz", "font")
    with override_settings(DEBUG=False):
        assert checks.pdf_dependencies_development() == []


def test_this_machine_has_both():
    # make test installs libharfbuzz-subset0 and fonts-noto-cjk (scripts/sysdeps.sh).
    assert checks.harfbuzz_subset_present()
    assert checks.cjk_font_present()
