"""`uv run manage.py demo` on a fresh database: migrate, seed, print, then serve
through the production server with DEBUG off and a task worker; Ctrl-C stops all."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# On the browser tests' worker: the demo's server, worker and their PDFs would
# otherwise slow a browser test running beside them past its timeouts.
pytestmark = pytest.mark.xdist_group("browser")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reminders_written(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT count(*) FROM documents_clientemail WHERE kind = 'reminder'"
        ).fetchone()[0]


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            headers, status, body = response.headers, response.status, response.read()
    except urllib.error.HTTPError as error:
        headers, status, body = error.headers, error.code, error.read()
    return status, {name.lower(): value for name, value in headers.items()}, body


def test_demo_sets_up_a_fresh_database_prints_the_way_in_and_serves(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "EMAIL_", "PORTAL_", "REDIS_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        PRIVATE_ROOT=str(tmp_path / "private"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DEMO_DATA_DIR=str(tmp_path / "demo"),
        PYTHONUNBUFFERED="1",
    )
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, to see nothing is left
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(demo.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not any("Serving on" in line for line in lines):
            assert demo.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "the demo never served"
            time.sleep(0.3)
        portal_lines = [line for line in lines if "portal of" in line]
        portal = portal_lines[0].split(": ", 1)[1].strip()
        status, headers, page = get(portal)
        css = re.search(rb'href="(/static/portal/portal\.[0-9a-f]{12}\.css)"', page)
        css_status, css_headers, _ = get(base + css[1].decode())
        # The page's live stream is on the stream server's own port.
        live = re.search(rb'data-live-url="(http://127\.0\.0\.1:(\d+)/p/[^"]+)"', page)
        live_status, live_headers, live_body = get(live[1].decode() + "?poll=1")
        missing_status, _, missing = get(f"{base}/no/such/page/")
        health = get(f"{base}/healthz")[0]
        # The worker beside the server sends the seeded documents' e-mails.
        mail = tmp_path / "demo" / "mail"
        deadline = time.monotonic() + 90
        while not (mail.exists() and any(mail.iterdir())):
            assert time.monotonic() < deadline, "the worker sent no e-mail"
            time.sleep(0.5)
        # The scheduler beside them reminds the seeded overdue invoices as it
        # starts: nobody runs a command.
        deadline = time.monotonic() + 90
        while not (reminders := reminders_written(tmp_path / "demo.sqlite3")):
            assert time.monotonic() < deadline, "the scheduler reminded nothing"
            time.sleep(0.5)

        demo.send_signal(signal.SIGINT)  # Ctrl-C
        demo.wait(timeout=40)
        reader.join(timeout=5)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    output = "".join(lines)

    assert health == 200
    assert reminders >= 1
    assert f"Back office: {base}/admin/" in output
    for role in ("owner", "admin", "manager", "reporting"):
        assert f"{role} " in output
    # Production: DEBUG off, static files from WhiteNoise, the product's 404.
    assert (status, headers["referrer-policy"]) == (200, "same-origin")
    assert (css_status, css_headers["cache-control"]) == (
        200,
        "max-age=315360000, public, immutable",
    )
    assert missing_status == 404 and b"URLconf" not in missing
    assert int(live[2]) != port
    assert (live_status, live_headers["content-type"]) == (200, "text/event-stream")
    assert live_headers["access-control-allow-origin"] == base
    assert re.match(rb"retry: 2000\nid: \d+\nevent: revision\n", live_body)
    assert (
        f"connect-src 'self' http://127.0.0.1:{live[2].decode()}"
        in (headers["content-security-policy"])
    )
    # Two clients at Atelier Lumière, one at Northwind; the bakery has no add-on.
    assert [line.split(":")[0].strip() for line in portal_lines] == [
        "portal of Café des Arts",
        "portal of Studio Rivage",
        "portal of Harbor & Co",
        "portal of Hôtel des Terreaux",
    ]
    assert all(f"{base}/p/" in line for line in portal_lines[:3])
    assert "none (the link answers 404 without the add-on)" in portal_lines[3]
    # Without Redis the server says at start where its shared cache lives.
    assert "REDIS_URL is not set: the cache and the portal's rate limits" in output
    # The demo's e-mails went to files, where the guide says.
    assert f"E-mails to clients: files in {mail}/" in output
    assert any(mail.iterdir())
    # The secret key was made once, kept out of git, readable by its owner only.
    assert (tmp_path / "demo" / "secret_key").stat().st_mode & 0o077 == 0
    # Ctrl-C stopped the server and the worker: nothing of the demo is left.
    assert demo.returncode == 0
    try:
        os.killpg(demo.pid, 0)
        left = True
    except ProcessLookupError:
        left = False
    assert not left, "a process of the demo is still running"
