"""A transfer for several invoices recorded twice at the same moment (two
owners, a double click) records its payments once, in real concurrent
transactions (PostgreSQL: row locks); recorded while the client declares,
each ends whole."""

from decimal import Decimal

import pytest
from django.db import connection

from payments import services
from payments.models import Payment, Receipt, TransferDeclaration
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


def _batch(count: int = 4):
    customer = ClientFactory()
    invoices = [DocumentFactory(client=customer, finalised=True) for _ in range(count)]
    return services.transfer_batch_open(client=customer, invoices=invoices, now=NOW)


def test_two_recordings_at_once_record_each_invoice_once():
    batch = _batch()

    def record():
        return services.transfer_batch_record(batch=batch, actor=None, now=NOW)

    results, errors = race(record, count=3)

    assert len(results) == 1
    assert [type(error) for error in errors] == [services.PaymentRefused] * 2
    assert all("recorded already" in str(error) for error in errors)
    payments = Payment.objects.for_company(batch.company)
    assert payments.count() == 4
    assert sum((p.amount for p in payments), Decimal(0)) == batch.amount
    numbers = sorted(
        Receipt.objects.for_company(batch.company).values_list("number", flat=True)
    )
    assert numbers == [f"REC-2026-000{n}" for n in range(1, 5)]


def test_declared_while_recorded_each_ends_whole():
    batch = _batch(count=3)

    def record():
        return services.transfer_batch_record(batch=batch, actor=None, now=NOW)

    def declare():
        return services.transfer_batch_declare(
            batch=batch, client_name="Ada", paid_on_date=None, now=NOW
        )

    pending = [record, declare]

    def either():
        return pending.pop()()

    _results, errors = race(either, count=2)

    declarations = TransferDeclaration.objects.for_company(batch.company)
    assert Payment.objects.for_company(batch.company).count() == 3
    # Declared first: every declaration is answered by its payment. Recorded
    # first: the declaration is refused (nothing left to pay), none is written.
    if errors:
        assert [type(error) for error in errors] == [services.TransferBatchRefused]
        assert not declarations.exists()
    else:
        assert declarations.count() == 3
        assert not declarations.waiting().exists()
