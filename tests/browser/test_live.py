"""The portal updates itself, across processes, within 3 seconds.

Two uvicorn processes serve the ASGI application on one database of their own
(SQLite file, or a PostgreSQL database made for the test when the suite runs on
PostgreSQL). The client's pages stay open on server A while an owner, in the
back office on server B, publishes a new version, hides a document, records a
payment and finally disables the link: each shows on the open pages within
3 seconds. The views the pages' beacons record are read back: one per version,
and none for a plain GET.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MS = 3000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def database_url(tmp_path):
    """A database of the test's own that separate processes can share."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        # A throwaway file: no fsync (migrating it takes a third of the time).
        sync_off = "init_command=PRAGMA%20synchronous%3DOFF"
        yield f"sqlite:///{tmp_path / 'live.sqlite3'}?{sync_off}"
        return
    import psycopg

    name = f"portal_live_e2e_{uuid.uuid4().hex[:10]}"
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def environment(database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The servers render no PDF: nothing here downloads one.
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "PORTAL_LIVE_POLL_SECONDS": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


def _scenario(env, *args) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "tests.browser.live_scenario", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


@pytest.fixture
def servers(environment):
    """Two server processes, A and B, on the same database."""
    started = []
    urls = []
    for _name in ("A", "B"):
        port = _free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "tests.browser.live_asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment,
        )
        started.append(process)
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield urls
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _within_limit(check) -> int:
    """Milliseconds until `check` (a Playwright expectation) holds; fails past 3 s."""
    started = time.monotonic()
    check(LIMIT_MS)
    return round((time.monotonic() - started) * 1000)


def test_open_pages_follow_changes_made_on_another_server(
    browser, environment, servers
):
    server_a, server_b = servers
    world = _scenario(environment, "seed")
    token, watched, to_hide = world["token"], world["watched"], world["to_hide"]
    document_path = f"/p/{token}/documents/{watched}/"

    # A mail scanner: a plain GET of the page records nothing.
    urllib.request.urlopen(server_a + document_path, timeout=5).read()
    assert _scenario(environment, "views", str(watched)) == []

    client_context = browser.new_context()
    detail = client_context.new_page()
    listing = client_context.new_page()
    detail.goto(server_a + document_path)
    listing.goto(server_a + f"/p/{token}/invoices/")
    number = detail.locator("#document-title").inner_text().split()[-1]
    hidden_number = listing.locator("table").inner_text()
    assert number in hidden_number
    expect(detail.locator("#document")).to_have_attribute("data-latest-version", "1")

    owner = browser.new_context().new_page()
    owner.on("dialog", lambda dialog: dialog.accept())
    owner.goto(server_b + "/admin/login/")
    owner.locator("#id_username").fill(world["email"])
    owner.locator("#id_password").fill(world["password"])
    owner.locator("input[type=submit]").click()
    owner.wait_for_url(re.compile(r"/admin/$"))
    took = {}

    # A new version, published from the back office on server B (an issued
    # invoice's notes: its lines are frozen).
    owner.goto(server_b + f"/admin/documents/document/{watched}/change/")
    owner.locator("#id_notes").fill("Delivered in two parts, as agreed.")
    owner.locator("input[name=_continue]").click()
    owner.wait_for_load_state()
    took["new version"] = _within_limit(
        lambda ms: expect(detail.locator("#document")).to_have_attribute(
            "data-latest-version", "2", timeout=ms
        )
    )
    expect(detail.locator("#document-body")).to_contain_text(
        "Delivered in two parts, as agreed."
    )

    # Another document hidden from the portal.
    owner.goto(server_b + f"/admin/documents/document/{to_hide}/change/")
    owner.locator("#document-action-hide button").click()
    owner.wait_for_load_state()
    hidden_row = listing.locator(f"a[href$='/documents/{to_hide}/']")
    took["hidden"] = _within_limit(
        lambda ms: expect(hidden_row).to_have_count(0, timeout=ms)
    )

    # A payment recorded.
    owner.goto(server_b + f"/admin/documents/document/{watched}/change/")
    owner.locator("#document-action-mark_paid").click()  # asks first
    owner.locator("#action-confirm-form input[type=submit]").click()
    owner.wait_for_load_state()
    took["paid"] = _within_limit(
        lambda ms: expect(detail.locator("#document")).to_have_attribute(
            "data-status", "paid", timeout=ms
        )
    )

    # The client's browser reported each version it showed, once.
    deadline = time.monotonic() + 5
    while _scenario(environment, "views", str(watched)) != [1, 2]:
        assert time.monotonic() < deadline, "the views were not recorded"
        time.sleep(0.3)

    # The link switched off: the open page turns into the 404.
    owner.goto(server_b + f"/admin/clients/client/{world['client']}/change/")
    owner.locator("#portal-switch").click()
    owner.wait_for_load_state()
    took["disabled"] = _within_limit(
        lambda ms: expect(detail.locator("#document")).to_have_count(0, timeout=ms)
    )
    # The portal's own 404 page, debug mode or not (portal.middleware).
    assert detail.title() == "This link does not open a portal"
    print("live update latencies (ms):", took)
    client_context.close()
