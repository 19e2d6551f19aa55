import contextlib
import json
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

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
            self.stdout.write(json.dumps(seed.summary(), ensure_ascii=False))
            return
        self.stdout.write(
            "Demo data created." if created else "Demo data already there."
        )
