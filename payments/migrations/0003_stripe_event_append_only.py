"""Stripe events are append-only (see `companies.append_only`)."""

from django.db import migrations

from companies import append_only

TABLE = "payments_stripeevent"
COLUMNS = (
    "id",
    "company_id",
    "event_id",
    "type",
    "account_id",
    "invoice_id",
    "payload",
    "received_at",
    "outcome",
    "reason",
)


def install(apps, schema_editor):
    append_only.install(
        schema_editor,
        table=TABLE,
        columns=COLUMNS,
        keys=(("id",), ("event_id",)),
    )


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_stripe_connect_checkout_refunds")]

    operations = [migrations.RunPython(install, uninstall)]
