"""`uv run manage.py demo` on a fresh database: migrate, seed, print, serve."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_demo_sets_up_a_fresh_database_prints_the_way_in_and_serves(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", PYTHONUNBUFFERED="1"
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, "the demo server never answered"
        portal_lines = [line for line in lines if "portal of" in line]
        portal_status, _ = get(portal_lines[0].split(": ", 1)[1].strip())
        server.terminate()
        server.wait(timeout=20)
        reader.join(timeout=5)
    finally:
        if server.poll() is None:
            server.kill()
    output = "".join(lines)

    assert f"Back office: http://127.0.0.1:{port}/admin/" in output
    for role in ("owner", "admin", "manager", "reporting"):
        assert f"{role} " in output
    assert portal_status == 200
    # Two clients at Atelier Lumière, one at Northwind; the bakery has no add-on.
    assert [line.split(":")[0].strip() for line in portal_lines] == [
        "portal of Café des Arts",
        "portal of Studio Rivage",
        "portal of Harbor & Co",
        "portal of Hôtel des Terreaux",
    ]
    assert all(f"http://127.0.0.1:{port}/p/" in line for line in portal_lines[:3])
    assert "none (the link answers 404 without the add-on)" in portal_lines[3]
