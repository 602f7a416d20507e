"""A real browser: Playwright driving the system Chromium (Debian package `chromium`).

Defined once for the whole suite (imported by tests/conftest.py): a second definition of
the session-wide browser would start a second Playwright in the same process, which fails."""

import os
import shutil

import pytest

CHROMIUM = (
    os.environ.get("GUICHET_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        message = "Browser tests need the system Chromium (apt-get install chromium)."
        # Continuous integration installs it: there, a missing browser is a failure, not
        # five journeys quietly skipped.
        if os.environ.get("GUICHET_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the tests only touch the
    # database between browser steps, never concurrently with it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies); CSP errors fail the test."""
    contexts = []
    console_errors = []

    def make(*, mobile=False, locale="fr-FR"):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                console_errors.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not console_errors, f"Content-Security-Policy violations: {console_errors}"
