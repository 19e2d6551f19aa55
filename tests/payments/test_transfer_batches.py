"""Several invoices paid by one bank transfer: one RF reference for the batch,
declared once (a declaration per invoice, one e-mail), recorded once by the
owner (a payment and a receipt per invoice, exact cents), or rejected."""

import datetime as dt
from decimal import Decimal

import pytest

from companies.references import grouped, is_valid_creditor_reference
from documents.models import ClientEmail, DocumentEvent
from payments import services
from payments.models import (
    Payment,
    Receipt,
    TransferBatch,
    TransferBatchLine,
    TransferDeclaration,
)
from tests.factories import NOW, ClientFactory, DocumentFactory, UserFactory, line

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=2)


def _invoice(customer, price: str, **kwargs):
    return DocumentFactory(
        client=customer,
        finalised=True,
        lines=[line(unit_price=price)],
        **kwargs,
    )


@pytest.fixture
def customer():
    return ClientFactory()


@pytest.fixture
def three(customer):
    return [
        _invoice(customer, "10.01"),
        _invoice(customer, "20.02"),
        _invoice(customer, "0.03"),
    ]


def _open(customer, invoices):
    return services.transfer_batch_open(client=customer, invoices=invoices, now=NOW)


def _declare(batch, paid_on=None):
    return services.transfer_batch_declare(
        batch=batch, client_name="Ada", paid_on_date=paid_on, now=LATER
    )


def test_one_reference_for_the_total_and_each_invoice_for_its_amount(customer, three):
    batch = _open(customer, three)

    lines = TransferBatchLine.objects.for_company(customer.company).order_by(
        "invoice_id"
    )
    # 10.01, 20.02 and 0.03 with 20 % VAT: 12.01, 24.02 and 0.04
    assert (batch.amount, batch.currency) == (Decimal("36.07"), "EUR")
    assert [(x.invoice_id, x.amount) for x in lines] == [
        (three[0].pk, Decimal("12.01")),
        (three[1].pk, Decimal("24.02")),
        (three[2].pk, Decimal("0.04")),
    ]
    assert batch.reference.startswith("RF")
    assert "PAY" in batch.reference
    assert is_valid_creditor_reference(batch.reference)
    assert len(batch.public_id) >= 24


def test_the_same_choice_again_is_the_same_batch_another_choice_another(
    customer, three
):
    first = _open(customer, three)
    again = _open(customer, list(reversed(three)))
    other = _open(customer, three[:2])

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert other.reference != first.reference
    assert TransferBatch.objects.for_company(customer.company).count() == 2


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("one", "at least two"),
        ("another client's", "cannot be paid together"),
        ("paid", "nothing left to pay"),
        ("two currencies", "one currency at a time"),
        ("declared", "already told us"),
        ("no iban", "not available"),
    ],
)
def test_what_cannot_be_paid_together_is_refused_and_opens_nothing(
    customer, case, message
):
    own = _invoice(customer, "10.00")
    other = {
        "one": None,
        "another client's": lambda: _invoice(ClientFactory(), "10.00"),
        "paid": lambda: _paid(_invoice(customer, "10.00")),
        "two currencies": lambda: _invoice(customer, "10.00", currency="GBP"),
        "declared": lambda: _declared_alone(_invoice(customer, "10.00")),
        "no iban": lambda: _invoice(customer, "10.00"),
    }[case]
    invoices = [own] + ([other()] if other else [])
    if case == "no iban":
        customer.company.iban = ""
        customer.company.save(update_fields=["iban"])

    with pytest.raises(services.TransferBatchRefused, match=message):
        _open(customer, invoices)

    assert not TransferBatch.objects.exists()


def _paid(invoice):
    services.invoice_mark_paid(invoice=invoice, actor=None, now=NOW)
    invoice.refresh_from_db()
    return invoice


def _declared_alone(invoice):
    services.transfer_declare(
        invoice=invoice, client_name="Ada", paid_on_date=None, now=NOW
    )
    return invoice


def test_declared_each_invoice_has_its_declaration_and_the_client_one_email(
    customer, three, django_capture_on_commit_callbacks, mailoutbox
):
    batch = _open(customer, three)

    with django_capture_on_commit_callbacks(execute=True):
        _declare(batch, paid_on=dt.date(2026, 3, 3))
        _declare(batch)  # pressed again: nothing more

    declarations = TransferDeclaration.objects.for_company(customer.company)
    assert sorted(
        (d.invoice_id, d.amount, d.batch_id, d.paid_on_date) for d in declarations
    ) == [
        (invoice.pk, amount, batch.pk, dt.date(2026, 3, 3))
        for invoice, amount in zip(
            three, [Decimal("12.01"), Decimal("24.02"), Decimal("0.04")], strict=True
        )
    ]
    assert (
        DocumentEvent.objects.for_company(customer.company)
        .filter(kind="transfer_declared")
        .count()
        == 3
    )
    emails = ClientEmail.objects.for_company(customer.company).filter(
        kind=ClientEmail.Kind.TRANSFER_DECLARED
    )
    assert emails.count() == 1
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert all(invoice.number in mailoutbox[0].subject for invoice in three)
    assert grouped(batch.reference) in body and "€36.07" in body
    batch.refresh_from_db()
    assert batch.declared_at == LATER


def test_recorded_each_invoice_gets_its_payment_and_receipt_once(
    customer, three, django_capture_on_commit_callbacks
):
    batch = _declare(_open(customer, three), paid_on=dt.date(2026, 3, 3))
    owner = UserFactory()

    result = services.transfer_batch_record(batch=batch, actor=owner, now=LATER)
    with pytest.raises(services.PaymentRefused, match="recorded already"):
        services.transfer_batch_record(batch=batch, actor=owner, now=LATER)

    payments = Payment.objects.for_company(customer.company).order_by("invoice_id")
    assert [(p.invoice_id, p.amount, p.method, p.recorded_by) for p in payments] == [
        (three[0].pk, Decimal("12.01"), "transfer", owner),
        (three[1].pk, Decimal("24.02"), "transfer", owner),
        (three[2].pk, Decimal("0.04"), "transfer", owner),
    ]
    assert sum(p.amount for p in payments) == batch.amount
    assert {p.received_at for p in payments} == {
        dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC)
    }
    assert Receipt.objects.for_company(customer.company).count() == 3
    for invoice in three:
        invoice.refresh_from_db()
        assert (invoice.status, invoice.amount_due) == ("paid", Decimal("0.00"))
    assert not TransferDeclaration.objects.for_company(customer.company).waiting()
    assert result.overpaid == []
    batch.refresh_from_db()
    assert (batch.recorded_at, batch.recorded_by) == (LATER, owner)


def test_money_beyond_what_an_invoice_paid_meanwhile_asks_is_an_overpayment(
    customer, three
):
    batch = _declare(_open(customer, three))
    services.payment_record(
        invoice=three[1], amount=Decimal("5.00"), method="manual", actor=None, now=NOW
    )
    _paid(three[2])

    result = services.transfer_batch_record(batch=batch, actor=None, now=LATER)

    recorded = {
        p.invoice_id: (p.amount, p.overpaid_amount)
        for p in Payment.objects.for_company(customer.company).filter(method="transfer")
    }
    # Every cent of the transfer is recorded: nothing arrived is left out.
    assert recorded == {
        three[0].pk: (Decimal("12.01"), Decimal("0")),
        three[1].pk: (Decimal("24.02"), Decimal("5.00")),
        three[2].pk: (Decimal("0.04"), Decimal("0.04")),
    }
    assert [(i.pk, overpaid) for i, overpaid in result.overpaid] == [
        (three[1].pk, Decimal("5.00")),
        (three[2].pk, Decimal("0.04")),
    ]
    for invoice in three:
        invoice.refresh_from_db()
        assert invoice.status == "paid"


def test_a_transfer_for_invoices_all_paid_otherwise_is_all_overpayment(customer, three):
    batch = _open(customer, three)
    for invoice in three:
        _paid(invoice)

    result = services.transfer_batch_record(batch=batch, actor=None, now=LATER)

    batch.refresh_from_db()
    assert batch.recorded_at is not None
    overpaid = Payment.objects.for_company(customer.company).filter(method="transfer")
    assert sorted(p.overpaid_amount for p in overpaid) == sorted(
        line.amount for line in batch.lines.all()
    )
    assert len(result.overpaid) == 3


def test_recorded_without_a_declaration_the_bank_line_is_enough(customer, three):
    batch = _open(customer, three)

    result = services.transfer_batch_record(batch=batch, actor=None, now=LATER)

    assert len(result.payments) == 3
    assert not TransferDeclaration.objects.exists()


def test_rejected_the_invoices_are_to_pay_again_and_may_be_declared_anew(
    customer, three
):
    batch = _declare(_open(customer, three))
    owner = UserFactory()

    services.transfer_batch_reject(batch=batch, actor=owner, now=LATER)
    with pytest.raises(services.PaymentRefused, match="rejected already"):
        services.transfer_batch_reject(batch=batch, actor=owner, now=LATER)
    with pytest.raises(services.PaymentRefused, match="was rejected"):
        services.transfer_batch_record(batch=batch, actor=owner, now=LATER)
    with pytest.raises(services.TransferBatchRefused, match="answered already"):
        _declare(batch)
    anew = _open(customer, three)

    assert anew.pk != batch.pk
    assert not TransferDeclaration.objects.for_company(customer.company).waiting()
    assert set(
        TransferDeclaration.objects.for_company(customer.company).values_list(
            "rejected_by", flat=True
        )
    ) == {owner.pk}
    assert not Payment.objects.exists()


def test_declaring_after_an_invoice_was_paid_otherwise_is_refused(customer, three):
    batch = _open(customer, three)
    _paid(three[0])

    with pytest.raises(services.TransferBatchRefused, match="nothing left to pay"):
        _declare(batch)

    assert not TransferDeclaration.objects.exists()


def test_a_date_in_the_future_is_refused(customer, three):
    batch = _open(customer, three)

    with pytest.raises(services.TransferBatchRefused, match="future"):
        _declare(batch, paid_on=dt.date(2027, 1, 1))

    assert not TransferDeclaration.objects.exists()
