import datetime as dt
from decimal import Decimal

import pytest

from documents import services
from documents.models import Document, DocumentEvent, DocumentVersion
from tests.factories import NOW, ClientFactory, DocumentFactory, UserFactory, line

pytestmark = pytest.mark.django_db


def test_document_create_computes_totals_half_up_per_line():
    client = ClientFactory()

    document = services.document_create(
        company=client.company,
        client=client,
        kind="invoice",
        lines=[line("A", "3", "0.35", "5.5"), line("B", "1", "0.05", "10")],
        actor=None,
        now=NOW,
    )

    # 3 × 0.35 = 1.05, VAT 5.5 % = 0.05775 → 0.06; 0.05 VAT 10 % = 0.005 → 0.01
    assert (document.total_excl_tax, document.total_tax, document.total) == (
        Decimal("1.10"),
        Decimal("0.07"),
        Decimal("1.17"),
    )
    assert (document.status, document.number) == ("draft", None)


def test_document_finalise_numbers_and_writes_version_one():
    document = DocumentFactory()
    actor = UserFactory()

    services.document_finalise(document=document, actor=actor, now=NOW)

    document.refresh_from_db()
    version = DocumentVersion.objects.for_company(document.company).get()
    assert (document.number, document.status) == ("INV-2026-0001", "to_pay")
    assert (version.number, version.content["number"], version.created_by) == (
        1,
        "INV-2026-0001",
        actor,
    )
    kinds = list(
        DocumentEvent.objects.for_company(document.company)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "finalised"]


def test_document_update_of_final_document_appends_a_version():
    document = DocumentFactory(finalised=True)

    version = services.document_update(
        document=document, lines=[line("Changed", "2", "50.00")], actor=None, now=NOW
    )

    document.refresh_from_db()
    assert (version.number, document.current_version_id, document.total) == (
        2,
        version.pk,
        Decimal("120.00"),
    )
    assert (
        document.versions.get(number=1).content["lines"][0]["description"]
        == "Consulting"
    )


def test_document_update_refuses_a_due_date_before_issue_date():
    document = DocumentFactory()

    with pytest.raises(services.InvalidDocument):
        services.document_update(
            document=document,
            lines=[line()],
            actor=None,
            now=NOW,
            due_date=dt.date(2026, 1, 1),
        )

    document.refresh_from_db()
    assert document.due_date == dt.date(2026, 4, 1)


def test_quote_numbering_is_separate_from_invoices():
    client = ClientFactory()
    DocumentFactory(client=client, finalised=True)
    quote = DocumentFactory(client=client, kind=Document.Kind.QUOTE, finalised=True)

    assert quote.number == "Q-2026-0001"
