"""A draft's own history (created, hidden, shown) goes with the draft when it
is deleted; every other document's history stays append-only.

Replaces the event table's DELETE guard: PostgreSQL's trigger function and
SQLite's delete trigger let a row go only while its document is a draft. A
document is a draft only until it is finalised (it has no number, nothing was
issued), and no service brings a finalised document back to draft.
"""

from importlib import import_module

from django.db import migrations

from companies import append_only

append_only_0004 = import_module("documents.migrations.0004_append_only")
TABLE = append_only_0004.EVENT_TABLE
DRAFT = "SELECT 1 FROM documents_document WHERE id = OLD.document_id AND status = 'draft'"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
BEGIN
    -- Nested: OLD is NULL outside row-level triggers (TRUNCATE).
    IF TG_OP = 'DELETE' THEN
        IF EXISTS ({DRAFT}) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""
SQLITE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only_delete;",
    f"""
    CREATE TRIGGER {TABLE}_append_only_delete BEFORE DELETE ON {TABLE}
    WHEN NOT EXISTS ({DRAFT})
    BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END;
    """,
]


def drafts_deletable(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def nothing_deletable(apps, schema_editor):
    append_only.uninstall(schema_editor, table=TABLE)
    append_only.install(
        schema_editor, table=TABLE, columns=append_only_0004.EVENT_COLUMNS
    )


class Migration(migrations.Migration):
    dependencies = [("documents", "0009_credit_notes_deposits")]

    operations = [migrations.RunPython(drafts_deletable, nothing_deletable)]
