"""A quote's signature and decline records are append-only evidence.

The signature may have its signed PDF attached once (file name and SHA-256
going from empty to set); nothing else of either row ever changes, and
neither is deleted.

0005 changed the history's event-kind constraint, which SQLite applies by
rebuilding the table, and a rebuilt table has lost its triggers: the
history's append-only guard is put back here (and by 0005 when reversed).
"""

from importlib import import_module

from django.db import migrations

from companies import append_only

history = import_module("documents.migrations.0004_append_only")


def history_guard_reinstall(apps, schema_editor):
    append_only.reinstall(
        schema_editor, table=history.EVENT_TABLE, columns=history.EVENT_COLUMNS
    )

SIGNATURE_TABLE = "documents_quotesignature"
SIGNATURE_COLUMNS = (
    "id",
    "company_id",
    "document_id",
    "version_id",
    "version_pdf_sha256",
    "method",
    "signer_name",
    "signer_email",
    "signature_png",
    "typed_name",
    "consent_text",
    "language",
    "signed_at",
    "ip_address",
    "user_agent",
    "signed_pdf_file",
    "signed_pdf_sha256",
)
DECLINE_TABLE = "documents_quotedecline"
DECLINE_COLUMNS = (
    "id",
    "company_id",
    "document_id",
    "version_id",
    "version_pdf_sha256",
    "reason",
    "language",
    "declined_at",
    "ip_address",
    "user_agent",
)


def install(apps, schema_editor):
    history_guard_reinstall(apps, schema_editor)
    append_only.install(
        schema_editor,
        table=SIGNATURE_TABLE,
        columns=SIGNATURE_COLUMNS,
        keys=(("id",), ("document_id",)),
        attach_once=("signed_pdf_file", "signed_pdf_sha256"),
    )
    append_only.install(
        schema_editor,
        table=DECLINE_TABLE,
        columns=DECLINE_COLUMNS,
        keys=(("id",), ("document_id",)),
    )


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor, table=DECLINE_TABLE)
    append_only.uninstall(schema_editor, table=SIGNATURE_TABLE)


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_quote_signature")]

    operations = [migrations.RunPython(install, uninstall)]
