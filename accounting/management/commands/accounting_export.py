"""`manage.py accounting_export --company NAME --from DAY --to DAY --output FILE.zip`:
the accountant's ZIP for a company and a period (see accounting.export)."""

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounting.export import accounting_export
from companies.models import Company


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a day (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Write the accountant's ZIP of a company for a period: invoices and credit "
        "notes (PDF, Factur-X XML), sales and payments journals (CSV), the FEC."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="The company's name.")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="The ZIP to write.")

    def handle(
        self,
        *args: object,
        company: str,
        start: str,
        end: str,
        output: str,
        **options: object,
    ) -> None:
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError("--to is before --from.")
        # unscoped: the company is what the command names
        found = list(Company.objects.filter(name=company).order_by("pk")[:2])
        if len(found) != 1:
            raise CommandError(
                f"No company named {company!r}."
                if not found
                else f"Several companies are named {company!r}."
            )
        target = Path(output)
        # Written beside the target, then moved: a failed export leaves no
        # half-written ZIP under the name asked for.
        handle, partial = tempfile.mkstemp(
            dir=target.parent or Path("."), suffix=".partial"
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                summary = accounting_export(
                    company=found[0],
                    start=first,
                    end=last,
                    target=stream,
                    render_missing=True,
                )
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"{target}: {summary.documents} document(s), {summary.payments} "
            f"payment(s) and refund(s), {summary.entries} FEC entries in "
            f"{summary.fec_name}."
        )
