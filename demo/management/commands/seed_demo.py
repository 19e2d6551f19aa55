import json

from django.core.management.base import BaseCommand, CommandParser

from demo import seed


class Command(BaseCommand):
    help = (
        "Seed the demo data if it is absent (idempotent); --json prints what is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print exactly one JSON document describing the demo on stdout.",
        )

    def handle(self, *args: object, **options: object) -> None:
        created = seed.seed()
        if options["json"]:
            self.stdout.write(json.dumps(seed.summary(), ensure_ascii=False))
            return
        self.stdout.write(
            "Demo data created." if created else "Demo data already there."
        )
