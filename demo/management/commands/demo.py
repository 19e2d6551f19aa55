"""`uv run manage.py demo [ADDRPORT]`: the product as a client would see it.

Migrates, collects the static files, seeds the demo if it is absent and prints
the way in; then serves through the production servers (DEBUG off, WhiteNoise)
with a task worker and the scheduler (reminders) beside them, exactly as a
deployment runs: the pages'
server (gunicorn, config.wsgi) on the address asked for, and the live portal's
stream server (gunicorn with a uvicorn worker, config.asgi) on a free port of
the same host, which the pages name as their stream's origin
(PORTAL_LIVE_ORIGIN) where a deployment's proxy would route by path. Every
step is a child process started with a production environment: nothing here
changes this process's settings. Ctrl-C stops them all.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from clients import portal_link
from demo import seed

ROOT = Path(settings.BASE_DIR)
# Git-ignored: the demo's secret key and the e-mails it "sends".
DEMO_DIR = Path(os.environ.get("DEMO_DATA_DIR") or ROOT / "var" / "demo")
SECRET_KEY_FILE = DEMO_DIR / "secret_key"
PORTAL_TOKEN_KEYS_FILE = DEMO_DIR / "portal_token_keys"
MAIL_DIR = DEMO_DIR / "mail"
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
STOP_GRACE_SECONDS = 15


def _split_addrport(addrport: str) -> tuple[str, int]:
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"{addrport!r} is not a port or an address:port.")
    return host.strip("[]") or "127.0.0.1", int(port)


def _secret_key() -> str:
    """The demo's own secret key: made once, kept in a git-ignored file."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    SECRET_KEY_FILE.touch(mode=0o600)
    SECRET_KEY_FILE.write_text(key)
    return key


def _portal_token_keys() -> str:
    """The keys the demo's portal links are encrypted under: its own, made once
    into a git-ignored file like its secret key (which debug mode reads too),
    then the ones this machine's debug mode uses, so that the demo reads the
    links runserver wrote into the same database."""
    if not PORTAL_TOKEN_KEYS_FILE.exists():
        DEMO_DIR.mkdir(parents=True, exist_ok=True)
        PORTAL_TOKEN_KEYS_FILE.touch(mode=0o600)
        PORTAL_TOKEN_KEYS_FILE.write_text(portal_link.new_key() + "\n")
    own = PORTAL_TOKEN_KEYS_FILE.read_text().split()
    return ",".join(dict.fromkeys([*own, *settings.PORTAL_TOKEN_KEYS]))


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def production_environment(
    host: str, port: int, live_port: int
) -> tuple[dict[str, str], str]:
    """The environment the demo's processes run with, and the address it serves.

    Production settings (DEBUG off, the database task backend) with what a
    deployment would set: a secret key, the served address as allowed host and
    as the base of portal links, and a mail backend. The demo's clients are
    fictional, so its e-mails go to files in var/demo/mail/, never out.
    """
    link_host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    url_host = f"[{link_host}]" if ":" in link_host else link_host
    base_url = f"http://{url_host}:{port}"
    allowed = {link_host, "localhost", "127.0.0.1"}
    if host in WILDCARD_HOSTS:
        allowed |= {socket.gethostname(), socket.getfqdn()}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or _secret_key(),
        "PORTAL_TOKEN_KEYS": os.environ.get("PORTAL_TOKEN_KEYS")
        or _portal_token_keys(),
        "DJANGO_ALLOWED_HOSTS": ",".join(sorted(allowed)),
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL") or base_url,
        "PORTAL_LIVE_ORIGIN": f"http://{url_host}:{live_port}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        # No buffering proxy in front of the demo: browsers talk to the
        # pages' server directly (keep-alive, preconnected sockets), which
        # threaded workers take without holding a whole process each.
        "WEB_WORKER_CLASS": os.environ.get("WEB_WORKER_CLASS", "gthread"),
        "WEB_THREADS": os.environ.get("WEB_THREADS", "4"),
        "PYTHONUNBUFFERED": "1",
    }
    if "EMAIL_URL" not in os.environ:
        MAIL_DIR.mkdir(parents=True, exist_ok=True)
        env["EMAIL_URL"] = f"filemail://{MAIL_DIR}"
    return env, env["PORTAL_BASE_URL"]


class Command(BaseCommand):
    help = (
        "Set the demo up, print how to get in, then serve it through the "
        "production server (DEBUG off) with a task worker and the reminders' "
        "scheduler. Ctrl-C stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default="127.0.0.1:8000",
            help="Where to serve: a port or address:port (default 127.0.0.1:8000).",
        )

    def handle(self, *args: object, addrport: str, **options: object) -> None:
        host, port = _split_addrport(addrport)
        live_port = _free_port("127.0.0.1" if host in WILDCARD_HOSTS else host)
        env, base = production_environment(host, port, live_port)
        # The static files (compressed, a third of a cold start) are collected
        # while the database is migrated and seeded: they share nothing.
        collecting = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput"]
            + ["--verbosity", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        servers: list[subprocess.Popen] = []
        try:
            self._step(env, "migrate", "--noinput", "--verbosity", "0")
            if collecting.wait() != 0:
                raise CommandError("`manage.py collectstatic` failed.")
            # The servers import the project while the demo is seeded (they
            # need the static files, which WhiteNoise lists as it starts).
            servers = self._start_servers(env, host, port, live_port)
            created = not self._seeded()
            summary = json.loads(self._step(env, "seed_demo", "--json"))
        except BaseException:
            collecting.kill()
            self._stop(servers)
            raise
        self._print_guide(base, summary, created)
        self._serve(env, servers, base)

    def _step(self, env: dict[str, str], *command: str) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"`manage.py {' '.join(command)}` failed.")
        return result.stdout

    @staticmethod
    def _seeded() -> bool:
        try:
            return seed.is_seeded()
        finally:
            connection.close()  # the children write; hold nothing open

    @staticmethod
    def _start_servers(
        env: dict[str, str], host: str, port: int, live_port: int
    ) -> list[subprocess.Popen]:
        """The pages' server and the stream server, started."""

        def bind(port: int) -> str:
            return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
        ]
        return [
            subprocess.Popen(
                [*gunicorn, "--bind", bind(port), "config.wsgi:application"],
                cwd=ROOT,
                env=env,
            ),
            subprocess.Popen(
                [
                    *gunicorn,
                    "--worker-class",
                    "config.workers.PortalUvicornWorker",
                    "--workers",
                    "1",
                    "--bind",
                    bind(live_port),
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env=env,
            ),
        ]

    def _serve(
        self, env: dict[str, str], servers: list[subprocess.Popen], base: str
    ) -> None:
        children = [
            *servers,
            subprocess.Popen(
                # Quiet: a line per task would drown the guide; failures are
                # logged by the tasks themselves (printing.tasks, mail.tasks).
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "db_worker",
                    "--interval",
                    "1",
                    "--verbosity",
                    "0",
                ],
                cwd=ROOT,
                env=env,
            ),
            # The scheduler: a reminders pass now (the seeded overdue invoice
            # is reminded without anyone running a command), then every few
            # minutes, as in docker-compose.yml.
            subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "run_scheduler",
                    "--interval",
                    "300",
                    "--verbosity",
                    "0",
                ],
                cwd=ROOT,
                env=env,
            ),
        ]
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {
            sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            if self._wait_until_serving(base, children):
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Serving on {base}/ (production servers, DEBUG off, "
                        f"live pages' streams on {env['PORTAL_LIVE_ORIGIN']}/, "
                        "with a task worker and the reminders' scheduler). "
                        "Ctrl-C stops them all."
                    )
                )
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            self._stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        failed = [child for child in children if child.returncode not in (0, None)]
        if failed and not stopping:
            raise CommandError("The demo's server or worker stopped unexpectedly.")

    @staticmethod
    def _wait_until_serving(base: str, children: list[subprocess.Popen]) -> bool:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(child.poll() is not None for child in children):
                return False
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        return False

    @staticmethod
    def _stop(children: list[subprocess.Popen]) -> None:
        """SIGTERM to each (gunicorn and db_worker both finish what they are
        doing), then SIGKILL to whatever is still there after the grace time."""
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _print_guide(self, base: str, summary: dict, created: bool) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS("Demo data created." if created else "Demo data ready.")
        )
        out.write(f"\nBack office: {base}{summary['admin_url']}")
        for company in summary["companies"]:
            addon = (
                ""
                if company["has_receivables_addon"]
                else "  (no Accounts Receivable add-on: no portal)"
            )
            out.write(f"\n{company['name']}{addon}")
            if company.get("stripe_account"):
                out.write(
                    f"  card payments: Stripe account {company['stripe_account']}"
                )
            for member in company["members"]:
                out.write(
                    f"  {member['role']:<10} {member['email']}"
                    f"  password: {member['password']}"
                )
            for client in company["clients"]:
                link = (
                    f"{base}{client['portal_url']}"
                    if company["has_receivables_addon"]
                    else "none (the link answers 404 without the add-on)"
                )
                out.write(f"  portal of {client['name']}: {link}")
        mail = (
            f"files in {MAIL_DIR}/ (one per e-mail sent: nothing leaves this machine)"
            if "EMAIL_URL" not in os.environ
            else "sent through EMAIL_URL"
        )
        out.write(f"\nE-mails to clients: {mail}")
        out.write("")
