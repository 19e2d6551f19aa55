"""The product as deployed, started for real, DEBUG off: the pages' server
(gunicorn, two sync workers, config.wsgi), the stream server (gunicorn
with two uvicorn workers, config.asgi, on an address of its own that the pages
name as PORTAL_LIVE_ORIGIN, as the demo does), a task worker, PostgreSQL and
Redis.

The database is the server's own (created, migrated and seeded with the demo
here, dropped at the end) and reaches PostgreSQL through a small TCP relay the
tests can unplug, to see the server lose its database. Everything the server
and the worker print goes to one file, for the tests to read.
"""

import base64
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/1")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _missing(reason: str) -> None:
    """Skip on a developer's machine; fail under CI, which must run these."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the production-server tests)")
    pytest.skip(reason)


def require_postgres_and_redis() -> tuple[str, str]:
    """The PostgreSQL URL of the test run and the Redis URL, or skip/fail."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        # Skipped even in CI: .ci/run's PostgreSQL leg runs them, its SQLite
        # leg cannot.
        pytest.skip(
            "the production server runs on PostgreSQL: set "
            "DATABASE_URL=postgres://… (.ci/run does)"
        )
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=2).ping()
    except redis.RedisError:
        _missing(
            f"the production server shares its cache through Redis at {REDIS_TEST_URL}"
        )
    return database_url, REDIS_TEST_URL


class TcpRelay:
    """Forwards a local port to PostgreSQL; `unplug()` cuts every connection
    and refuses new ones until `plug()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.plugged = True
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            if not self.plugged:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(
                target=self._pump, args=(client, upstream), daemon=True
            ).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return
        finally:
            for sock in sockets:
                sock.close()

    def unplug(self) -> None:
        self.plugged = False
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def plug(self) -> None:
        self.plugged = True

    def close(self) -> None:
        self._stop = True
        self.unplug()
        self._listener.close()


class ProductionServer:
    """Start with `start()`, read `summary` (the demo's data), `url(path)`,
    `output()`; `stop()` ends everything and drops the database."""

    def __init__(
        self,
        database_url: str,
        redis_url: str,
        tmp: Path,
        *,
        relay: bool = True,
        **extra_env: str,
    ) -> None:
        parts = urllib.parse.urlsplit(database_url)
        self.dbname = f"{parts.path.lstrip('/') or 'portal'}_server_{os.getpid()}"
        self.admin_dsn = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        self.relay = (
            TcpRelay((parts.hostname or "127.0.0.1", parts.port or 5432))
            if relay
            else None
        )
        host = (
            f"127.0.0.1:{self.relay.port}"
            if self.relay
            else f"{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
        )
        relayed = parts._replace(
            netloc=f"{parts.username or 'postgres'}"
            f"{':' + parts.password if parts.password else ''}@{host}",
            path=f"/{self.dbname}",
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.live_port = free_port()
        self.live_base = f"http://127.0.0.1:{self.live_port}"
        self.log_path = tmp / "server.log"
        self.media_root = tmp / "media"
        self.redis_url = redis_url
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                (
                    "DJANGO_",
                    "DATABASE_",
                    "AWS_",
                    "EMAIL_",
                    "REDIS_",
                    "PORTAL_",
                    "TASKS_",
                )
            )
        }
        defaults = dict(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            PORTAL_TOKEN_KEYS=base64.urlsafe_b64encode(
                secrets.token_bytes(32)
            ).decode(),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_STATIC_ROOT=str(tmp / "static"),
            DJANGO_MEDIA_ROOT=str(tmp / "media"),
            PRIVATE_ROOT=str(tmp / "private"),
            DATABASE_URL=urllib.parse.urlunsplit(relayed),
            DATABASE_STATEMENT_TIMEOUT_SECONDS="2",
            REDIS_URL=redis_url,
            PORTAL_BASE_URL=self.base,
            PORTAL_LIVE_ORIGIN=self.live_base,
            EMAIL_URL=f"filemail://{tmp / 'mail'}",
            WEB_CONCURRENCY="2",
            PYTHONUNBUFFERED="1",
        )
        self.env.update({**defaults, **extra_env})
        self.processes: list[subprocess.Popen] = []
        self.summary: dict = {}

    # --- life cycle -------------------------------------------------------------

    def _manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self) -> "ProductionServer":
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
            connection.execute(f'CREATE DATABASE "{self.dbname}"')
        redis.Redis.from_url(self.redis_url).flushdb()
        self._manage("migrate", "--noinput", "--verbosity", "0")
        self._manage("collectstatic", "--noinput", "--verbosity", "0")
        self.summary = json.loads(self._manage("seed_demo", "--json"))
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        gunicorn = [sys.executable, "-m", "gunicorn", "--config"]
        pages = [
            *gunicorn,
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
            "config.wsgi:application",
        ]
        worker = [sys.executable, "manage.py", "db_worker", "--interval", "0.2"]
        streams = [
            *gunicorn,
            "deploy/gunicorn.conf.py",
            "--worker-class",
            "config.workers.PortalUvicornWorker",
            "--workers",
            self.env.get("LIVE_CONCURRENCY", "2"),
            "--bind",
            f"127.0.0.1:{self.live_port}",
            "config.asgi:application",
        ]
        # In this order: stop_worker() finds the task worker second.
        for argv in (pages, worker, streams):
            self.processes.append(
                subprocess.Popen(
                    argv,
                    cwd=ROOT,
                    env=self.env,
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                )
            )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        import urllib.request

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert all(p.poll() is None for p in self.processes), self.output()[-3000:]
            try:
                for base in (self.base, self.live_base):
                    with urllib.request.urlopen(base + "/readyz", timeout=5):
                        pass
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"the server never got ready:\n{self.output()[-3000:]}")

    def stop_worker(self) -> None:
        """Stop the task worker only (the web server keeps serving)."""
        worker = self.processes[1]
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if hasattr(self, "_log"):
            self._log.close()
        if self.relay:
            self.relay.close()
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    # --- reading ----------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def database(self) -> psycopg.Connection:
        """A direct connection to the server's database (not through the relay)."""
        return psycopg.connect(
            self.admin_dsn.rsplit("/", 1)[0] + f"/{self.dbname}", autocommit=True
        )

    def portal_urls(self) -> list[str]:
        return [
            client["portal_url"]
            for company in self.summary["companies"]
            if company["has_receivables_addon"]
            for client in company["clients"]
        ]

    def tokens(self) -> list[str]:
        return [url.split("/")[2] for url in self.portal_urls()]

    def pid_of(self, request_id: str) -> int | None:
        """The web process that logged the request with this id."""
        for line in self.output().splitlines():
            if f"request_id={request_id}" in line:
                return int(line.split("[", 1)[1].split("]", 1)[0])
        return None
