"""Once migrated, every append-only table carries exactly its guard.

SQLite rebuilds a table (and drops its triggers) whenever a migration changes
one of its constraints, as every new event kind does; the migration must then
reinstall the guard, whole. This test compares what the database holds with
what `companies.append_only` installs for each table's guard, so a migration
that forgets, or reinstalls a guard short of its exceptions, fails CI on the
database where it happens. A new AppendOnly model must add its guard below.
"""

import re
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from companies import append_only
from documents import history_guard
from documents.models import Document, DocumentEvent
from tests.factories import NOW, DocumentFactory

pytestmark = pytest.mark.django_db

documents_0004 = import_module("documents.migrations.0004_append_only")
documents_0006 = import_module("documents.migrations.0006_signature_append_only")
companies_0003 = import_module("companies.migrations.0003_audit_append_only")
payments_0003 = import_module("payments.migrations.0003_stripe_event_append_only")
transmission_0002 = import_module(
    "transmission.migrations.0002_platform_lifecycle_append_only"
)

# Each append-only table's guard, as its migrations install it.
GUARDS: dict[str, dict[str, Any]] = {
    documents_0004.VERSION_TABLE: {
        "table": documents_0004.VERSION_TABLE,
        "columns": documents_0004.VERSION_COLUMNS,
        "keys": (("id",), ("document_id", "number")),
        "attach_once": ("pdf_file", "pdf_sha256"),
    },
    history_guard.TABLE: history_guard.GUARD,
    documents_0006.SIGNATURE_TABLE: {
        "table": documents_0006.SIGNATURE_TABLE,
        "columns": documents_0006.SIGNATURE_COLUMNS,
        "keys": (("id",), ("document_id",)),
        "attach_once": ("signed_pdf_file", "signed_pdf_sha256"),
    },
    documents_0006.DECLINE_TABLE: {
        "table": documents_0006.DECLINE_TABLE,
        "columns": documents_0006.DECLINE_COLUMNS,
        "keys": (("id",), ("document_id",)),
    },
    companies_0003.TABLE: {
        "table": companies_0003.TABLE,
        "columns": companies_0003.COLUMNS,
    },
    payments_0003.TABLE: {
        "table": payments_0003.TABLE,
        "columns": payments_0003.COLUMNS,
        "keys": (("id",), ("event_id",)),
    },
    transmission_0002.TABLE: {
        "table": transmission_0002.TABLE,
        "columns": transmission_0002.COLUMNS,
    },
}


def _flat(sql: str) -> str:
    return " ".join(sql.split()).rstrip(";").strip()


def expected(table: str) -> dict[str, str]:
    """Trigger (SQLite) or function (PostgreSQL) name → its SQL, as installed."""
    statements = append_only.guard_statements(connection.vendor, **GUARDS[table])
    if connection.vendor == "sqlite":
        return {
            re.search(r"CREATE TRIGGER (\w+)", sql).group(1): _flat(sql)
            for sql in statements
        }
    function = statements[0]
    return {
        f"{table}_append_only": _flat(function.split("$$")[1]),
        f"{table}_append_only_rows": "ROW",
        f"{table}_append_only_truncate": "STATEMENT",
    }


def installed(table: str) -> dict[str, str]:
    """The same, read back from the database's catalog."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            return {name: _flat(sql) for name, sql in cursor.fetchall()}
        cursor.execute(
            "SELECT t.tgname, p.proname, p.prosrc, t.tgtype & 1"
            " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
            [table],
        )
        found: dict[str, str] = {}
        for trigger, function, source, row_level in cursor.fetchall():
            found[function] = _flat(source)
            found[trigger] = "ROW" if row_level else "STATEMENT"
        return found


def test_every_append_only_model_has_a_guard_here():
    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, append_only.AppendOnly)
    }

    assert tables == set(GUARDS)


@pytest.mark.parametrize("table", sorted(GUARDS))
def test_after_migrating_each_table_carries_exactly_its_guard(table):
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.skip("guards exist on SQLite and PostgreSQL only")

    assert installed(table) == expected(table)


@pytest.mark.parametrize("table", sorted(GUARDS))
def test_a_guard_reads_no_other_table(table):
    """SQLite rebuilds a table to change a constraint (drop, then rename a
    copy) and refuses while another table's trigger names it: a guard naming
    documents_document would break every later migration of documents."""
    for vendor in ("sqlite", "postgresql"):
        sql = " ".join(append_only.guard_statements(vendor, **GUARDS[table]))
        named = set(re.findall(r"\b(?:FROM|JOIN|ON)\s+(\w+)", sql, re.IGNORECASE))

        assert named == {table}


class _Editor:
    """What `append_only` needs of a schema editor, inside the test's
    transaction (SQLite's own schema editor refuses to open in one)."""

    def __init__(self) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_check_notices_a_table_that_lost_its_triggers_or_its_exception():
    """What a rebuilt table (no triggers) and a plain reinstall (no draft
    exception: what a hand-written exception became at the next new event
    kind) look like to the test above: both differ."""
    append_only.uninstall(_Editor(), table=history_guard.TABLE)
    assert installed(history_guard.TABLE) == {}

    append_only.install(
        _Editor(), table=history_guard.TABLE, columns=history_guard.COLUMNS
    )
    assert installed(history_guard.TABLE) != expected(history_guard.TABLE)
    assert set(installed(history_guard.TABLE)) == set(expected(history_guard.TABLE))

    history_guard.reinstall(_Editor())
    assert installed(history_guard.TABLE) == expected(history_guard.TABLE)


def _history(document: Document):
    return DocumentEvent.objects.for_company(document.company).filter(document=document)


def test_after_a_reinstall_a_drafts_events_still_go_and_no_others_do():
    """A future event kind's migration reinstalls the guard through
    `history_guard`: the draft exception survives it."""
    history_guard.reinstall(_Editor())
    draft = DocumentFactory()
    finalised = DocumentFactory(finalised=True)
    assert _history(draft).exists()

    _history(draft).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        _history(finalised).delete()

    assert not _history(draft).exists()
    assert _history(finalised).count() == 2


def test_a_finalised_documents_events_stay_even_when_it_was_a_draft_at_first():
    document = DocumentFactory()
    from documents import services

    services.document_finalise(document=document, actor=None, now=NOW)

    with pytest.raises(DatabaseError), transaction.atomic():
        _history(document).delete()
    assert set(_history(document).values_list("kind", flat=True)) == {
        "created",
        "finalised",
    }
