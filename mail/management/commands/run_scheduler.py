"""The scheduler: one process per deployment that runs the periodic passes.

A pass (the reminders that have come due, the e-mails whose retry is due, the
e-invoicing platforms' flows and statuses) runs as the process starts, then
every `--interval` seconds; stored PDFs are checked and put back
(`pdf_repair`) every `--repair-every` passes. Each pass is
idempotent (see mail.services.reminders), so a second scheduler, or a restart
in the middle of a pass, sends nothing twice. A pass that fails is logged and
the next one runs on time: one bad night of the database does not stop the
reminders for good. SIGTERM and Ctrl-C stop it between passes.
"""

import logging
import signal
import threading
from types import FrameType

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from mail import services as mail_services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    quiet = False
    help = (
        "Run the reminders pass (and due e-mail retries) now and then every few "
        "minutes; check stored PDFs every hour. Ctrl-C stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=300.0,
            help="Seconds between two passes (default 300: five minutes).",
        )
        parser.add_argument(
            "--repair-every",
            type=int,
            default=12,
            help="Run pdf_repair every N passes (default 12: hourly); 0: never.",
        )
        parser.add_argument(
            "--once", action="store_true", help="Run one pass, then stop."
        )

    def handle(
        self,
        *args: object,
        interval: float,
        repair_every: int,
        once: bool,
        **options: object,
    ) -> None:
        self.quiet = options.get("verbosity") == 0
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, stop)
        passes = 0
        while True:
            self.run_pass(repair=bool(repair_every) and passes % repair_every == 0)
            passes += 1
            if once or stopping.wait(interval):
                return

    def run_pass(self, *, repair: bool) -> None:
        """One pass; a failure is logged, never raised (the next pass retries)."""
        self.connections_refresh()
        try:
            now = timezone.now()
            run = mail_services.reminders_send(now=now)
            retried = mail_services.client_emails_retry_due(now=now)
            if not self.quiet:
                self.stdout.write(
                    f"{now:%Y-%m-%d %H:%M:%S} scheduler: {len(run.sent)} "
                    f"reminder(s) queued, {run.already} already sent, "
                    f"{retried} e-mail(s) retried."
                )
            if repair:
                call_command("pdf_repair", verbosity=0)
        except Exception:
            logger.exception("Scheduler pass failed; the next one runs on time.")
        finally:
            self.connections_refresh()
        try:
            # The e-invoicing platforms' due flows and statuses: a command of
            # the app above mail, run by name as the deployment's other
            # periodic commands are.
            call_command("einvoicing_poll", verbosity=0)
        except Exception:
            logger.exception("E-invoicing poll failed; the next pass retries.")
        finally:
            self.connections_refresh()

    @staticmethod
    def connections_refresh() -> None:
        """Drop a connection the database closed while we slept; not inside a
        transaction (a test's, or a caller's), which that would break."""
        if not connection.in_atomic_block:
            close_old_connections()
