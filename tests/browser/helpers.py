"""Shared helpers for the browser tests (imported by the tests and by ``conftest.py``)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"
CONSOLE_DIR = ARTIFACTS_DIR / "browser-console"

CHROMIUM = "/usr/bin/chromium"
# The machine has no internet: without the background-networking flags Chromium keeps
# dialling Google services and floods the log with refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A common office PC screen, and a common phone (iPhone 12-15 size, CSS pixels).
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
}
COMMON = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def safe_name(name: str) -> str:
    """A file-system friendly version of ``name`` (test node ids contain ``/``, ``::``, ``[``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "screenshot"


def snap(page: Page, name: str) -> Path:
    """Save a full-page PNG of ``page`` to ``test-artifacts/screenshots/<name>.png``."""
    path = SCREENSHOT_DIR / f"{safe_name(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, username: str, password: str) -> None:
    """Fill and submit the login form on the current page (which must be the login page)."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()


def horizontal_overflow(page: Page) -> dict:
    """Page width against viewport width, plus the elements sticking out to the right."""
    return page.evaluate(
        """() => {
            const vw = window.innerWidth;
            const wide = [];
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > vw + 1) {
                    wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                              + ' right=' + Math.round(r.right));
                }
            }
            return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw,
                    offenders: wide.slice(0, 10)};
        }"""
    )
