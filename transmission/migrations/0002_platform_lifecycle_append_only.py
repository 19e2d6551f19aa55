"""Lifecycle statuses are append-only (see `companies.append_only`)."""

from django.db import migrations

from companies import append_only

TABLE = "transmission_lifecyclestatus"
COLUMNS = (
    "id",
    "company_id",
    "document_id",
    "code",
    "reason_code",
    "reason",
    "amount",
    "vat_rate",
    "source",
    "flow_id",
    "at",
    "recorded_at",
)


def install(apps, schema_editor):
    append_only.install(
        schema_editor, table=TABLE, columns=COLUMNS, keys=(("id",),)
    )


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("transmission", "0001_platform_lifecycle")]

    operations = [migrations.RunPython(install, uninstall)]
