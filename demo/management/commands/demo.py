import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from demo import seed


class Command(BaseCommand):
    help = "Set everything up for the demo, print how to get in, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default="127.0.0.1:8000",
            help="Where to serve, as for runserver (default 127.0.0.1:8000).",
        )

    def handle(self, *args: object, addrport: str, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        created = seed.seed()
        base = "http://" + (addrport if ":" in addrport else f"127.0.0.1:{addrport}")
        if "PORTAL_BASE_URL" not in os.environ:
            # The links the back office and e-mails give point at this very server.
            settings.PORTAL_BASE_URL = base
        if not settings.DEBUG:
            self.stderr.write(
                "DJANGO_DEBUG is off: static files are not served by the demo server."
            )
        self._print_guide(base, seed.summary(), created)
        call_command("runserver", addrport, use_reloader=False)

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
        out.write("")
