"""Gapless numbering per company, kind and year, under concurrency."""

import threading

import pytest
from django.db import connection, connections, transaction

from documents import services
from documents.models import Document
from tests.factories import NOW, ClientFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_kind_and_restart_per_company():
    client = ClientFactory()
    other_client = ClientFactory()
    numbers = [
        DocumentFactory(client=client, finalised=True).number,
        DocumentFactory(client=client, finalised=True).number,
        DocumentFactory(client=client, kind="quote", finalised=True).number,
        DocumentFactory(client=other_client, finalised=True).number,
    ]

    assert numbers == ["INV-2026-0001", "INV-2026-0002", "Q-2026-0001", "INV-2026-0001"]


def test_a_failed_finalisation_gives_its_number_back():
    client = ClientFactory()
    empty = DocumentFactory(client=client)
    empty.lines.all().delete()
    good = DocumentFactory(client=client)

    with pytest.raises(services.DocumentNotFinalisable):
        services.document_finalise(document=empty, actor=None, now=NOW)
    services.document_finalise(document=good, actor=None, now=NOW)

    good.refresh_from_db()
    empty.refresh_from_db()
    assert (good.number, empty.number, empty.status) == ("INV-2026-0001", None, "draft")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_finalisations_never_share_or_skip_a_number():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    client = ClientFactory()
    drafts = [DocumentFactory(client=client) for _ in range(24)]
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def finalise(chunk: list[Document]) -> None:
        try:
            start.wait()
            for draft in chunk:
                with transaction.atomic():
                    services.document_finalise(document=draft, actor=None, now=NOW)
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=finalise, args=(drafts[i::8],)) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [], [repr(error) for error in errors]
    numbers = sorted(
        Document.objects.for_company(client.company).values_list("number", flat=True)
    )
    assert numbers == [f"INV-2026-{n:04d}" for n in range(1, 25)]
