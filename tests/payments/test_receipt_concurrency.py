"""Receipt numbers stay gapless when payments are recorded at the same moment,
in real concurrent transactions (PostgreSQL: row locks), and when one of them
rolls back."""

import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from payments import services
from payments.models import Receipt, ReceiptNumberSequence
from payments.services import receipts
from tests.factories import NOW, ClientFactory, DocumentFactory
from tests.printing.test_pdf_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")


@pytest.fixture(autouse=True)
def _no_background_work(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }


@pytest.fixture
def slow_numbering(monkeypatch):
    """Each number is held a moment under its lock: the others surely wait."""
    real = receipts._number_allocate

    def allocate_slowly(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(0.2)
        return result

    monkeypatch.setattr(receipts, "_number_allocate", allocate_slowly)


def test_payments_recorded_together_get_consecutive_receipts(slow_numbering):
    customer = ClientFactory()
    invoices = [DocumentFactory(client=customer, finalised=True) for _ in range(4)]
    pending = list(invoices)

    def record():
        invoice = pending.pop()
        return services.payment_record(
            invoice=invoice,
            amount=Decimal("10.00"),
            method="transfer",
            actor=None,
            now=NOW,
        )

    results, errors = race(record, count=4)

    assert errors == []
    assert len(results) == 4
    numbers = sorted(
        Receipt.objects.for_company(customer.company).values_list("number", flat=True)
    )
    assert numbers == [f"REC-2026-000{n}" for n in range(1, 5)]
    sequence = ReceiptNumberSequence.objects.for_company(customer.company).get()
    assert sequence.last_number == 4


def test_a_payment_rolled_back_gives_its_number_back():
    customer = ClientFactory()
    first, second = (DocumentFactory(client=customer, finalised=True) for _ in range(2))

    with pytest.raises(RuntimeError), transaction.atomic():
        services.payment_record(
            invoice=first, amount=Decimal("10"), method="manual", actor=None, now=NOW
        )
        raise RuntimeError("the database refused what came after")
    services.payment_record(
        invoice=second, amount=Decimal("10"), method="manual", actor=None, now=NOW
    )

    assert list(
        Receipt.objects.for_company(customer.company).values_list(
            "number", "invoice_id"
        )
    ) == [("REC-2026-0001", second.pk)]
