"""The payment e-reporting data of a company (the reform's "encaissements"):
one CSV row per invoice paid and VAT rate, from its 212 Encaissée."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from companies.models import Company
from transmission.payments_export import payments_export_write


class Command(BaseCommand):
    help = "Write a company's cashed invoices (212) per VAT rate as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("company_id", type=int)
        parser.add_argument("--since", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--until", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: object, **options: object) -> None:
        company_id = options["company_id"]
        assert isinstance(company_id, int)
        company = Company.objects.filter(pk=company_id).first()
        if company is None:
            raise CommandError("No such company.")
        since, until = options["since"], options["until"]
        assert since is None or isinstance(since, dt.date)
        assert until is None or isinstance(until, dt.date)
        payments_export_write(self.stdout, company=company, since=since, until=until)
