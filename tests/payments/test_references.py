"""RF creditor references, the EPC QR payload, minor units and the event log."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from companies.append_only import ImmutableRecordError
from companies.money import currency_exponent, from_minor_units, to_minor_units
from companies.references import (
    creditor_reference_from,
    grouped,
    invoice_creditor_reference,
    is_valid_creditor_reference,
)
from payments.epc_qr import epc_qr_available, epc_qr_svg
from payments.models import StripeEvent
from tests.factories import NOW, DocumentFactory


def test_the_iso_11649_example():
    assert creditor_reference_from("539007547034") == "RF18539007547034"
    assert grouped("RF18539007547034") == "RF18 5390 0754 7034"
    assert is_valid_creditor_reference("RF18 5390 0754 7034")


@pytest.mark.parametrize(
    "text", ["RF19 5390 0754 7034", "RF18 5390 0754 7035", "XX18539007547034", "RF18"]
)
def test_a_mistyped_reference_is_caught(text):
    assert not is_valid_creditor_reference(text)


@pytest.mark.parametrize("base", ["", "INV-1", "X" * 22])
def test_what_cannot_be_a_reference_is_refused(base):
    with pytest.raises(ValueError):
        creditor_reference_from(base)


@pytest.mark.django_db
def test_an_invoice_s_reference_comes_from_its_number():
    invoice = DocumentFactory(finalised=True)  # INV-2026-0001

    reference = invoice_creditor_reference(invoice.number)

    assert reference == "RF16INV20260001"
    assert is_valid_creditor_reference(reference)


def test_the_epc_payload_carries_the_transfer():
    from segno import helpers

    svg = epc_qr_svg(
        name="Atelier Lumière SARL",
        iban="FR76 3000 6000 0112 3456 7890 189",
        bic="AGRIFRPP",
        amount=Decimal("12.50"),
        reference="RF16INV20260001",
        title="Pay",
    )
    payload = helpers._make_epc_qr_data(  # what segno encodes, as the EPC spec says
        name="Atelier Lumière SARL",
        iban="FR7630006000011234567890189",
        amount=Decimal("12.50"),
        reference="RF16INV20260001",
        bic="AGRIFRPP",
        text=None,
        purpose=None,
        encoding=None,
    )
    # Line 3 names the character set: 1 UTF-8, 2 ISO 8859-1 (enough here).
    charset = {b"1": "utf-8", b"2": "latin-1"}[payload.split(b"\n")[2]]
    payload = payload.decode(charset)

    assert svg.startswith("<svg ") and "<title>Pay</title>" in svg
    assert "<script" not in svg and "style=" not in svg
    assert payload.splitlines()[:9] == [
        "BCD",
        "002",
        "2",
        "SCT",
        "AGRIFRPP",
        "Atelier Lumière SARL",
        "FR7630006000011234567890189",
        "EUR12.5",
        "",
    ]
    assert payload.splitlines()[9] == "RF16INV20260001"


@pytest.mark.parametrize(
    ("currency", "iban", "amount", "available"),
    [
        ("EUR", "FR76 3000", Decimal("1"), True),
        ("GBP", "GB33 BUKB", Decimal("1"), False),
        ("EUR", "", Decimal("1"), False),
        ("EUR", "FR76", Decimal("0"), False),
        ("EUR", "FR76", Decimal("1000000000"), False),
    ],
)
def test_the_epc_code_is_for_euros_within_its_range(currency, iban, amount, available):
    assert epc_qr_available(currency=currency, iban=iban, amount=amount) == available


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("1500", "JPY", 1500),
        ("0.005", "EUR", 1),
        ("7", "KWD", 7000),
    ],
)
def test_minor_units_follow_the_currency_s_exponent(amount, currency, minor):
    assert to_minor_units(Decimal(amount), currency) == minor
    assert currency_exponent("EUR") == 2 and currency_exponent("JPY") == 0
    assert from_minor_units(1234, "EUR") == Decimal("12.34")
    assert from_minor_units(1500, "JPY") == Decimal("1500")


@pytest.mark.django_db
def test_stored_stripe_events_are_never_changed_or_deleted():
    event = StripeEvent.objects.create(
        event_id="evt_1",
        type="customer.created",
        payload={"id": "evt_1"},
        received_at=NOW,
        outcome="ignored",
        reason="unhandled_type",
    )

    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    for change in (
        lambda rows: rows.update(outcome="applied"),
        lambda rows: rows.delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change(StripeEvent.objects.filter(pk=event.pk))  # unscoped: the one row
    event.refresh_from_db()
    assert event.outcome == "ignored"
