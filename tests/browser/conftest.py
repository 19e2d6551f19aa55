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
def new_page(browser):
    """Pages in contexts of their own (a phone, JavaScript off), closed afterwards."""
    contexts = []

    def open_page(**context_options: object):
        context = browser.new_context(**context_options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def console_errors(page) -> list[str]:
    """Errors the page logs, CSP refusals included ("Refused to apply inline style")."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# The demo's own tables, in the order a snapshot of them is written and read back.
DEMO_APPS = ("companies", "clients", "branding", "documents", "payments")

# Seeding through the services takes seconds (and printing every version's PDF
# more); the first test seeds, later tests load a snapshot of the same rows.
_snapshot: dict = {}


@pytest.fixture
def demo(transactional_db, live_server) -> dict:
    """The demo data in the live server's database, as `seed_demo --json` shows it.

    Built by `demo.seed` the first time (PDF printing skipped: no browser test
    downloads one), then restored from a snapshot of the rows and logo files.
    """
    if _snapshot:
        _snapshot_load(_snapshot)
    else:
        from django.test.utils import override_settings

        from demo import seed

        dummy_tasks = {
            "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
        }
        with override_settings(TASKS=dummy_tasks):
            seed.seed()
        _snapshot.update(_snapshot_take(), summary=seed.summary())
    return _snapshot["summary"]


def _demo_models() -> list:
    from django.apps import apps
    from django.core import serializers

    app_list = [(apps.get_app_config(label), None) for label in DEMO_APPS]
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def _snapshot_take() -> dict:
    from django.core import serializers
    from django.core.files.storage import default_storage

    from branding.models import BrandKit

    rows = serializers.serialize(
        "json",
        (
            instance
            for model in _demo_models()
            for instance in model._default_manager.order_by("pk")
        ),
    )
    files = {}
    for kit in BrandKit.objects.exclude(logo=""):  # unscoped: every demo company
        with default_storage.open(kit.logo.name, "rb") as stored:
            files[kit.logo.name] = stored.read()
    return {"rows": rows, "files": files}


def _snapshot_load(snapshot: dict) -> None:
    """Write the rows back as they were (ids included), as serialized rollback does."""
    from django.core import serializers
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.constraint_checks_disabled():
            for stored in serializers.deserialize("json", snapshot["rows"]):
                stored.save()
        connection.check_constraints()
        reset = connection.ops.sequence_reset_sql(no_style(), _demo_models())
        if reset:
            with connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)
    for name, content in snapshot["files"].items():
        default_storage.save(name, ContentFile(content))


def run_axe(page) -> list[dict]:
    """axe-core from its package, injected into the page; returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.response["violations"]
