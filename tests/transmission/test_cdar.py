"""CDAR messages: what a platform sends is read (status, reason, amounts),
what we write reads back, and what is not a CDAR is refused."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.transmission.standin import cdar as buyer_cdar
from tests.transmission.standin import read_cdar
from transmission import cdar


def test_a_refusal_is_read_with_its_reason():
    data = buyer_cdar(
        number="INV-2026-0042",
        issue_date="20261103",
        seller_siren="812345676",
        code="210",
        reason_code="TX_TVA_ERR",
        reason="Taux de TVA erroné",
        message_id="CDV-1",
    )

    status = cdar.cdar_read(data)

    assert (
        status.invoice_number,
        status.invoice_issue_date,
        status.seller_siren,
        status.code,
        status.reason_code,
        status.reason,
        status.amount,
    ) == (
        "INV-2026-0042",
        dt.date(2026, 11, 3),
        "812345676",
        "210",
        "TX_TVA_ERR",
        "Taux de TVA erroné",
        None,
    )


def test_our_212_carries_each_rate_s_amount_and_reads_back():
    data = cdar.cdar_write(
        message_id="m-1",
        at=dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC),
        invoice_number="INV-2026-0001",
        invoice_issue_date=dt.date(2026, 11, 2),
        invoice_type_code="380",
        seller_siren="812345676",
        seller_name="Atelier <Lumière> & Cie",
        buyer_siren="552100554",
        buyer_name="Café des Arts",
        code="212",
        label="Encaissée",
        amounts=[
            (Decimal("120.00"), Decimal("20")),
            (Decimal("21.10"), Decimal("5.5")),
        ],
        status_date=dt.date(2026, 12, 7),
    )

    status = cdar.cdar_read(data)
    assert (status.code, status.amount, status.vat_rate) == (
        "212",
        Decimal("141.10"),
        None,
    )
    assert status.amounts == [
        (Decimal("120.00"), Decimal("20.00")),
        (Decimal("21.10"), Decimal("5.50")),
    ]
    assert read_cdar(data)["amounts"] == [
        ("MEN", "120.00", "20.00"),
        ("MEN", "21.10", "5.50"),
    ]
    assert b"Atelier &lt;Lumi" in data


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<Invoice/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<x>&e;</x>",
        b'<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="'
        + cdar.RSM.encode()
        + b'"/>',
    ],
)
def test_what_is_not_a_cdar_is_refused(data):
    with pytest.raises(cdar.CdarUnreadable):
        cdar.cdar_read(data)
