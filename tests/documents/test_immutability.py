"""A stored version never changes: not through the model, not behind its back."""

import pytest
from django.db import DatabaseError, connection, transaction

from documents.models import DocumentVersion, ImmutableRecordError
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version() -> DocumentVersion:
    document = DocumentFactory(finalised=True)
    return DocumentVersion.objects.for_company(document.company).get()


def stored(version: DocumentVersion) -> tuple:
    return (
        DocumentVersion.objects.for_company(version.company)
        .values_list("total", "content", "pdf_sha256")
        .get(pk=version.pk)
    )


def test_the_model_refuses_to_save_a_stored_version_again(version):
    before = stored(version)
    version.total = 1

    with pytest.raises(ImmutableRecordError):
        version.save()

    assert stored(version) == before


def test_the_model_refuses_to_delete_a_version(version):
    with pytest.raises(ImmutableRecordError):
        version.delete()

    assert (
        DocumentVersion.objects.for_company(version.company)
        .filter(pk=version.pk)
        .exists()
    )


def test_the_database_refuses_queryset_update(version):
    before = stored(version)

    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentVersion.objects.for_company(version.company).filter(
            pk=version.pk
        ).update(total=1)

    assert stored(version) == before


def test_the_database_refuses_raw_sql_update_and_delete(version):
    before = stored(version)

    for statement in (
        "UPDATE documents_documentversion SET content = '{}' WHERE id = %s",
        "DELETE FROM documents_documentversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [version.pk])

    assert stored(version) == before


def test_a_pdf_is_attached_once_and_never_replaced(version):
    table = "documents_documentversion"
    attach = f"UPDATE {table} SET pdf_file = %s, pdf_sha256 = %s WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute(attach, ["documents/v1.pdf", "a" * 64, version.pk])

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(attach, ["documents/other.pdf", "b" * 64, version.pk])

    assert stored(version)[2] == "a" * 64


def test_attaching_a_pdf_cannot_smuggle_a_content_change(version):
    before = stored(version)

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_documentversion "
                "SET pdf_file = 'x.pdf', pdf_sha256 = %s, total = 0 WHERE id = %s",
                ["c" * 64, version.pk],
            )

    assert stored(version) == before
