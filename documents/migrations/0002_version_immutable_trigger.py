"""The database itself refuses to change or delete a stored document version.

`QuerySet.update()`, `QuerySet.delete()` and raw SQL bypass the model, so the
rule lives in a trigger too. The one change allowed is attaching the version's
PDF, once: pdf_file and pdf_sha256 going from empty to set, nothing else.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION documents_version_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'document versions are immutable: delete refused'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.pdf_sha256 = '' AND NEW.pdf_sha256 <> '' AND NEW.pdf_file <> ''
       AND (NEW.id, NEW.company_id, NEW.document_id, NEW.number, NEW.content,
            NEW.total_excl_tax, NEW.total_tax, NEW.total, NEW.created_at, NEW.created_by_id)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.company_id, OLD.document_id, OLD.number, OLD.content,
            OLD.total_excl_tax, OLD.total_tax, OLD.total, OLD.created_at, OLD.created_by_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'document versions are immutable: update refused'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER documents_version_immutable
    BEFORE UPDATE OR DELETE ON documents_documentversion
    FOR EACH ROW EXECUTE FUNCTION documents_version_immutable();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS documents_version_immutable ON documents_documentversion;
DROP FUNCTION IF EXISTS documents_version_immutable();
"""

SQLITE_UP = [
    """
    CREATE TRIGGER documents_version_no_delete
    BEFORE DELETE ON documents_documentversion
    BEGIN
        SELECT RAISE(ABORT, 'document versions are immutable: delete refused');
    END;
    """,
    """
    CREATE TRIGGER documents_version_no_update
    BEFORE UPDATE ON documents_documentversion
    WHEN NOT (
        OLD.pdf_sha256 = '' AND NEW.pdf_sha256 <> '' AND NEW.pdf_file <> ''
        AND NEW.id IS OLD.id AND NEW.company_id IS OLD.company_id
        AND NEW.document_id IS OLD.document_id AND NEW.number IS OLD.number
        AND NEW.content IS OLD.content AND NEW.total_excl_tax IS OLD.total_excl_tax
        AND NEW.total_tax IS OLD.total_tax AND NEW.total IS OLD.total
        AND NEW.created_at IS OLD.created_at AND NEW.created_by_id IS OLD.created_by_id
    )
    BEGIN
        SELECT RAISE(ABORT, 'document versions are immutable: update refused');
    END;
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS documents_version_no_delete;",
    "DROP TRIGGER IF EXISTS documents_version_no_update;",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
