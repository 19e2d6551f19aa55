import contextlib
import json
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from clients.portal_link import PortalLinkUnreadable
from demo import seed


def _migrations_pending() -> bool:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = (
        "Seed the demo data if it is absent (idempotent, migrating first if "
        "needed); --json prints what is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print exactly one JSON document describing the demo on stdout.",
        )

    def handle(self, *args: object, **options: object) -> None:
        # Anything printed while seeding (the console e-mail backend of debug
        # mode prints each e-mail) goes to stderr: stdout carries the answer.
        with contextlib.redirect_stdout(sys.stderr):
            if _migrations_pending():
                call_command("migrate", interactive=False, verbosity=0)
            created = seed.seed()
        if options["json"]:
            try:
                summary = seed.summary()
            except PortalLinkUnreadable as exc:
                # The database outlived the key file it was seeded with (var/demo
                # removed, or another DEMO_DATA_DIR): say so, not a traceback.
                raise CommandError(
                    "The database's portal links were encrypted under another "
                    "key than this demo's (its key file in DEMO_DATA_DIR, "
                    "default var/demo/, was removed or changed). Put that "
                    "portal_token_keys file back, or delete db.sqlite3 to seed "
                    "the demo afresh."
                ) from exc
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            "Demo data created." if created else "Demo data already there."
        )
