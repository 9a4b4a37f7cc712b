"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Outside CI the tests skip with a message when no Chromium is found; in CI (CI=true)
a missing Chromium fails the run.
"""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls
# from it. The tests' own ORM calls are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class _InFlight:
    """Requests the live server is still answering. A browser page closed at the end of a
    test may leave one running in a server thread; the database flush that follows would
    then wait on its locks (PostgreSQL reported a deadlock between the flush's TRUNCATE and
    such a request once in CI). Only the live server's threads count: requests made with
    Django's test client run in the main thread, and one whose streamed response is never
    closed must not hold the browser tests up."""

    def __init__(self) -> None:
        self.threads: set[int] = set()

    def started(self, **kwargs) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.threads.add(threading.get_ident())

    def finished(self, **kwargs) -> None:
        self.threads.discard(threading.get_ident())

    def wait_idle(self, timeout_s: float = 5) -> None:
        deadline = time.monotonic() + timeout_s
        while self.threads and time.monotonic() < deadline:
            time.sleep(0.02)


IN_FLIGHT = _InFlight()
request_started.connect(IN_FLIGHT.started, dispatch_uid="e2e-in-flight-start")
request_finished.connect(IN_FLIGHT.finished, dispatch_uid="e2e-in-flight-finish")


def find_chromium() -> str | None:
    explicit = os.environ.get("UNSTUCK_CHROMIUM")
    if explicit and os.path.exists(explicit):
        return explicit
    for path in CHROMIUM_CANDIDATES:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        if IN_CI:
            pytest.fail("Chromium is required for browser tests in CI (apt-get install chromium).")
        pytest.skip(
            "No Chromium found (apt-get install chromium, or set UNSTUCK_CHROMIUM); browser tests skipped."
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page; console errors are collected in page.console_errors."""
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()
    IN_FLIGHT.wait_idle()  # before the test's database flush
