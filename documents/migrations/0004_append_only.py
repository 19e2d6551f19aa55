"""Versions and events are append-only, through the shared triggers.

Replaces 0002's version trigger with `companies.append_only`'s, which also
refuses TRUNCATE (PostgreSQL) and INSERT OR REPLACE (SQLite), and puts the same
guard on the document history.
"""

from importlib import import_module

from django.db import migrations

from companies import append_only

VERSION_TABLE = "documents_documentversion"
VERSION_COLUMNS = (
    "id",
    "company_id",
    "document_id",
    "number",
    "content",
    "total_excl_tax",
    "total_tax",
    "total",
    "created_at",
    "created_by_id",
    "pdf_file",
    "pdf_sha256",
)
EVENT_TABLE = "documents_documentevent"
EVENT_COLUMNS = (
    "id",
    "company_id",
    "document_id",
    "version_id",
    "kind",
    "actor_id",
    "actor_name",
    "at",
    "details",
)

version_trigger = import_module("documents.migrations.0002_version_immutable_trigger")


def install(apps, schema_editor):
    version_trigger.uninstall(apps, schema_editor)
    append_only.install(
        schema_editor,
        table=VERSION_TABLE,
        columns=VERSION_COLUMNS,
        keys=(("id",), ("document_id", "number")),
        attach_once=("pdf_file", "pdf_sha256"),
    )
    append_only.install(schema_editor, table=EVENT_TABLE, columns=EVENT_COLUMNS)


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor, table=EVENT_TABLE)
    append_only.uninstall(schema_editor, table=VERSION_TABLE)
    version_trigger.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_portal_recent_index")]

    operations = [migrations.RunPython(install, uninstall)]
