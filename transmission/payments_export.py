"""The payment e-reporting data of a company (the reform's "encaissements"):
one CSV row per invoice paid and VAT rate, from its 212 Encaissée. Written by
the `einvoicing_payments_export` command and downloaded from the back office."""

import csv
import datetime as dt
from typing import Any

from django.utils import timezone

from companies.models import Company
from transmission.models import LifecycleStatus
from transmission.sending import paid_amounts

HEADER = (
    "date",
    "invoice",
    "issue_date",
    "buyer_siren",
    "currency",
    "amount",
    "vat_rate",
)


def payments_export_write(
    out: Any,
    *,
    company: Company,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> None:
    """Write the company's cashed invoices (212) from `since` to `until`
    (days included, either open) as CSV into `out` (a text stream)."""
    statuses = (
        LifecycleStatus.objects.for_company(company)
        .filter(code=LifecycleStatus.Code.PAID)
        .select_related("document__client")
        .order_by("at", "pk")
    )
    if since is not None:
        statuses = statuses.filter(at__date__gte=since)
    if until is not None:
        statuses = statuses.filter(at__date__lte=until)
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for status in statuses:
        document = status.document
        version = document.versions.order_by("number").first()
        rates = paid_amounts(version) if version is not None else []
        for amount, rate in rates:
            writer.writerow(
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
