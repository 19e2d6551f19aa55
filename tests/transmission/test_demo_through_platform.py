"""The demo with the environment pointing at the stand-in: its French B2B
invoices and credit notes are submitted by the worker, their statuses come
back, and its paid invoices sent 212."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from companies.models import Company
from demo.seed import seed
from documents.models import Document
from transmission import services, worker
from transmission.models import Flow, LifecycleStatus

pytestmark = pytest.mark.django_db


def test_the_demo_s_french_b2b_invoices_go_through_the_platform(
    standin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seed()

    atelier = Company.objects.get(name="Atelier Lumière")
    northwind = Company.objects.get(name="Northwind Studio")
    assert services.connection_of(northwind) is None  # English: no platform
    expected = {
        document.number
        for document in Document.objects.for_company(atelier)
        .exclude(number=None)
        .filter(kind__in=("invoice", "credit_note"), client__is_business=True)
        .filter(client__country="FR")
    }
    flows = Flow.objects.for_company(atelier).filter(kind="invoice")
    assert expected and {f.tracking_id for f in flows} == expected
    assert {f.state for f in flows} == {"submitted"}

    call_command("einvoicing_poll", stdout=open("/dev/null", "w"))

    statuses = LifecycleStatus.objects.for_company(atelier)
    for number in expected:
        codes = list(
            statuses.filter(document__number=number, source="platform")
            .order_by("at", "pk")
            .values_list("code", flat=True)
        )
        assert codes == ["200", "202", "203", "204", "205"], number
    paid = Document.objects.for_company(atelier).filter(
        status="paid", number__in=expected, kind="invoice"
    )
    assert paid.exists()
    for invoice in paid:
        assert statuses.filter(document=invoice, code="212", source="product").exists()
    sent_212 = sorted(s["number"] for s in standin.received_statuses)
    assert sent_212 == sorted(invoice.number for invoice in paid)
    assert worker.flows_due(now=timezone.now()) == []
