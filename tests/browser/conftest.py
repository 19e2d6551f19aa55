"""Real Chromium, driven by Playwright, against a live server holding the demo.

Debian's `chromium` is used through `executable_path`; no browser is downloaded.
Without it the browser tests skip with a message, except under CI=true, where
they must run.
"""

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by the tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in ("chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One worker drives every browser test, so one Chromium starts per run.
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Chromium not found (apt-get install chromium): browser tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(message.replace("skipped", "required under CI=true"))
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, live_server) -> dict:
    """The demo data in the live server's database, as `seed_demo --json` shows it."""
    from demo import seed

    seed.seed()
    return seed.summary()


def run_axe(page) -> list[dict]:
    """axe-core from its package, injected into the page; returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.response["violations"]
