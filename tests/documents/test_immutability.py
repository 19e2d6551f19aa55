"""Append-only records never change: not through the model, not behind its back.

Versions, the document history and the audit log, on PostgreSQL and SQLite:
updates, deletes, `INSERT OR REPLACE` (SQLite) and `TRUNCATE` (PostgreSQL).
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from companies import audit
from companies.append_only import ImmutableRecordError
from companies.models import AuditEvent
from documents.models import DocumentEvent, DocumentVersion
from tests.factories import NOW, CompanyFactory, DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version() -> DocumentVersion:
    document = DocumentFactory(finalised=True)
    return DocumentVersion.objects.for_company(document.company).get()


@pytest.fixture
def event() -> DocumentEvent:
    document = DocumentFactory(finalised=True)
    return (
        DocumentEvent.objects.for_company(document.company)
        .filter(kind="finalised")
        .get()
    )


@pytest.fixture
def audit_event() -> AuditEvent:
    company = CompanyFactory()
    return audit.company_settings_changed(
        company=company, actor=None, at=NOW, fields=["name"]
    )


@pytest.fixture(params=["version", "event", "audit_event"])
def record(request):
    return request.getfixturevalue(request.param)


def stored(record) -> dict:
    return type(record).objects.for_company(record.company).values().get(pk=record.pk)


def test_the_model_refuses_to_save_a_stored_record_again(record):
    before = stored(record)
    record.at = record.created_at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

    with pytest.raises(ImmutableRecordError):
        record.save()

    assert stored(record) == before


def test_the_model_refuses_to_delete_a_record(record):
    with pytest.raises(ImmutableRecordError):
        record.delete()

    assert stored(record)


def test_the_database_refuses_queryset_update_and_delete(record):
    before = stored(record)
    rows = type(record).objects.for_company(record.company).filter(pk=record.pk)

    with pytest.raises(DatabaseError), transaction.atomic():
        rows.update(company=record.company)
    with pytest.raises(DatabaseError), transaction.atomic():
        rows.delete()

    assert stored(record) == before


def test_the_database_refuses_raw_sql_update_and_delete(record):
    before = stored(record)
    table = record._meta.db_table

    for statement in (
        f"UPDATE {table} SET company_id = company_id WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [record.pk])

    assert stored(record) == before


def test_sqlite_insert_or_replace_cannot_rewrite_a_record(record):
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    before = stored(record)
    table = record._meta.db_table
    columns = [field.column for field in record._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [record.pk]
        )
        values = list(cursor.fetchone())

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                values,
            )

    assert stored(record) == before


def test_sqlite_replace_over_a_versions_number_is_refused_too(version):
    """A new id with the same document and number would replace the old row."""
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    before = stored(version)

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO documents_documentversion "
                "(id, company_id, document_id, number, content, total_excl_tax, "
                "total_tax, total, created_at, pdf_file, pdf_sha256) "
                "VALUES (%s, %s, %s, %s, '{}', 0, 0, 0, %s, '', '')",
                [
                    version.pk + 1000,
                    version.company_id,
                    version.document_id,
                    version.number,
                    NOW.isoformat(),
                ],
            )

    assert stored(version) == before


@pytest.mark.postgres
def test_postgres_truncate_is_refused_directly_and_by_cascade(record):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    before = stored(record)
    table = record._meta.db_table

    for statement in (
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        "TRUNCATE companies_company CASCADE",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)

    assert stored(record) == before


def test_a_pdf_is_attached_once_and_never_replaced(version):
    table = "documents_documentversion"
    attach = f"UPDATE {table} SET pdf_file = %s, pdf_sha256 = %s WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute(attach, ["documents/v1.pdf", "a" * 64, version.pk])

    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(attach, ["documents/other.pdf", "b" * 64, version.pk])

    assert stored(version)["pdf_sha256"] == "a" * 64


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


def test_the_model_attaches_a_pdf_once_through_update_fields(version):
    version.pdf_file.name, version.pdf_sha256 = "documents/v1.pdf", "d" * 64
    version.save(update_fields=["pdf_file", "pdf_sha256"])
    version.total = 0

    with pytest.raises(ImmutableRecordError):
        version.save(update_fields=["total"])

    assert stored(version)["pdf_sha256"] == "d" * 64
