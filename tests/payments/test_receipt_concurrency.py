"""Receipt numbers stay gapless when payments are recorded at the same moment,
in real concurrent transactions (PostgreSQL: row locks), and when one of them
rolls back."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

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


def test_a_transaction_still_at_work_does_not_hold_up_another_payments_receipt():
    """The sequence row is locked only at the end of the payment's transaction:
    a payment recorded meanwhile commits without waiting and takes the next
    number; the slow one, ending later, takes the one after. No gap either way."""
    customer = ClientFactory()
    # Two clients of one company: each payment also bumps its client's row.
    neighbour = ClientFactory(company=customer.company)
    slow_invoice = DocumentFactory(client=customer, finalised=True)
    quick_invoice = DocumentFactory(client=neighbour, finalised=True)
    counted, quick_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    quick_while_open: list[bool] = []

    def slow() -> None:
        try:
            with transaction.atomic(), receipts.receipts_numbered_last():
                services.payment_record(
                    invoice=slow_invoice,
                    amount=Decimal("10"),
                    method="transfer",
                    actor=None,
                    now=NOW,
                )
                counted.set()
                # The rest of the webhook's work, while the other one commits.
                quick_while_open.append(quick_done.wait(timeout=5))
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    def quick() -> None:
        try:
            counted.wait(timeout=10)
            services.payment_record(
                invoice=quick_invoice,
                amount=Decimal("10"),
                method="transfer",
                actor=None,
                now=NOW,
            )
            quick_done.set()
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow), threading.Thread(target=quick)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert quick_while_open == [True]  # it did not wait for the slow one
    assert list(
        Receipt.objects.for_company(customer.company)
        .order_by("number_sequence")
        .values_list("number", "invoice_id")
    ) == [("REC-2026-0001", quick_invoice.pk), ("REC-2026-0002", slow_invoice.pk)]
