"""The audit log is append-only (see `companies.append_only`)."""

from django.db import migrations

from companies import append_only

TABLE = "companies_auditevent"
COLUMNS = (
    "id",
    "company_id",
    "kind",
    "subject_type",
    "subject_id",
    "subject_name",
    "actor_id",
    "actor_name",
    "at",
    "details",
)


def install(apps, schema_editor):
    append_only.install(schema_editor, table=TABLE, columns=COLUMNS)


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_audit_event")]

    operations = [migrations.RunPython(install, uninstall)]
