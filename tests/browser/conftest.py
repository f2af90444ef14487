"""Browser tests: Playwright drives Debian's Chromium against Django's live test server."""

import shutil

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a headless run as root on a machine without outside network access.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(monkeypatch):
    if not shutil.which("chromium"):
        pytest.skip("Chromium is not installed; `make setup` installs it as root.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread, and Django refuses
    # ORM calls from a thread with a running loop unless told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()
        # ORM calls made while Playwright's event loop runs open a connection of
        # their own; PostgreSQL cannot drop the test database while it stays open.
        connections.close_all()
