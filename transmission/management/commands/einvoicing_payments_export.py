"""The payment e-reporting data of a company (the reform's "encaissements"):
one CSV row per invoice paid and VAT rate, from its 212 Encaissée."""

import csv
import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from companies.models import Company
from transmission.models import LifecycleStatus
from transmission.sending import paid_amounts


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
        statuses = (
            LifecycleStatus.objects.for_company(company)
            .filter(code="212")
            .select_related("document__client")
            .order_by("at", "pk")
        )
        if options["since"]:
            statuses = statuses.filter(at__date__gte=options["since"])
        if options["until"]:
            statuses = statuses.filter(at__date__lte=options["until"])
        out = csv.writer(self.stdout)
        out.writerow(
            [
                "date",
                "invoice",
                "issue_date",
                "buyer_siren",
                "currency",
                "amount",
                "vat_rate",
            ]
        )
        for status in statuses:
            document = status.document
            version = document.versions.order_by("number").first()
            rates = paid_amounts(version) if version is not None else []
            for amount, rate in rates:
                out.writerow(
                    [
                        timezone.localdate(status.at).isoformat(),
                        document.number,
                        document.issue_date.isoformat(),
                        document.client.siren,
                        document.currency,
                        f"{amount:.2f}",
                        f"{rate:.2f}",
                    ]
                )
