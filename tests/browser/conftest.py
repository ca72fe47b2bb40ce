"""Browser-test harness: Debian's Chromium driven by Playwright's sync API against ``live_server``.

Fixtures
- ``browser``: one Chromium for all browser tests (package scope, see below).
- ``new_context(phone=False, **options)``: a fresh, isolated browser context (own cookies),
  ``base_url`` = the live server, locale zh-CN; closed after the test.
- ``context`` / ``page``: desktop, 1366x768.
- ``phone_context`` / ``phone_page``: a 390x844 touch phone.

Tests using these need ``@pytest.mark.browser`` and ``@pytest.mark.django_db(transaction=True)``:
the live server answers from another thread, so test data must be committed to be seen.

On a failed test every open page is saved to ``test-artifacts/screenshots/failed/`` and the
browser console errors are added to the report; console errors of any test are also written
to ``test-artifacts/browser-console/<test>.log``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COMMON,
    CONSOLE_DIR,
    DESKTOP,
    PHONE,
    SCREENSHOT_DIR,
    safe_name,
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="package", autouse=True)
def _allow_sync_orm_beside_playwright() -> Iterator[None]:
    """Let Django's ORM run in the test thread while Playwright's sync API is alive.

    Playwright's sync API starts an asyncio event loop in a greenlet of the *test thread* and
    leaves it marked as running for as long as Playwright is started. Django's ``async_unsafe``
    guard sees a running loop in the current thread and raises ``SynchronousOnlyOperation`` for
    every ORM call there (persona fixtures, database assertions, pytest-django's flush after a
    transactional test). No coroutine ever touches the ORM here - the test code is plain
    synchronous code that merely shares its thread with Playwright's loop - so switching the
    guard off is safe. It is set only while the browser tests run (package scope, restored
    afterwards) so the rest of the suite keeps Django's protection. The live server runs in
    its own thread without a loop and is unaffected either way.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_allow_sync_orm_beside_playwright):
    """One headless Chromium for all browser tests.

    Package scope rather than session scope: everything lives in this package, so it still
    starts once per run, and it is stopped as soon as the last browser test is done, so
    Playwright's event loop (see above) is gone before other test packages run.
    """
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)"
        if _in_ci():
            pytest.fail(f"{message}. CI must run the browser tests, not skip them.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_console() -> list[str]:
    """Console errors and uncaught page errors seen during the test (filled by ``new_context``)."""
    return []


class ContextFactory:
    """``new_context(phone=False, **options)``: an isolated context on the live server.

    Keeps the contexts it opened so they can be closed, and screenshotted when a test fails.
    """

    def __init__(self, browser, base_url: str, console: list[str]):
        self.browser = browser
        self.base_url = base_url
        self.console = console
        self.contexts: list = []

    def __call__(self, phone: bool = False, **options):
        settings = {**COMMON, **(PHONE if phone else DESKTOP), "base_url": self.base_url, **options}
        ctx = self.browser.new_context(**settings)
        ctx.set_default_timeout(10_000)
        ctx.set_default_navigation_timeout(15_000)
        label = "phone" if phone else "desktop"

        def on_console(msg):
            if msg.type == "error":
                self.console.append(f"[{label}] {msg.text} ({msg.location.get('url', '')})")

        ctx.on("console", on_console)
        ctx.on("weberror", lambda err: self.console.append(f"[{label}] page error: {err.error}"))
        self.contexts.append(ctx)
        return ctx

    def open_pages(self) -> list:
        return [page for ctx in self.contexts for page in ctx.pages if not page.is_closed()]

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def new_context(request, browser, live_server, browser_console) -> Iterator[ContextFactory]:
    factory = ContextFactory(browser, live_server.url, browser_console)
    yield factory
    factory.close()
    if browser_console:  # kept for review even when the test passes (e.g. CSP violations)
        CONSOLE_DIR.mkdir(parents=True, exist_ok=True)
        log = CONSOLE_DIR / f"{safe_name(request.node.nodeid)}.log"
        log.write_text("\n".join(browser_console) + "\n", encoding="utf-8")


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def phone_context(new_context):
    return new_context(phone=True)


@pytest.fixture
def phone_page(phone_context):
    return phone_context.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        saved: list[Path] = []
        funcargs = getattr(item, "funcargs", {})
        factory = funcargs.get("new_context")
        pages = factory.open_pages() if isinstance(factory, ContextFactory) else []
        for index, page in enumerate(pages, start=1):
            path = SCREENSHOT_DIR / "failed" / f"{safe_name(item.nodeid)}-{index}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)
            except Exception as exc:  # noqa: BLE001 - a broken page must not hide the real failure
                report.sections.append(("browser screenshot", f"could not save {path}: {exc}"))
        if saved:
            report.sections.append(("browser screenshots", "\n".join(str(p) for p in saved)))
        console = funcargs.get("browser_console")
        if console:
            report.sections.append(("browser console errors", "\n".join(console)))
    return report
