"""Stored Stripe events keep no portal link.

Checkout Sessions opened before their return addresses stopped naming the
client's link carry it in `success_url` and `cancel_url`, and every event
about them was stored with it: a copy of the database would hold working
links. Their payloads are masked as new events are (`payments.event_cleaning`),
once, by the owner of the table, which alone may lift its append-only guard
for the time of this one change, and puts it back whole. Nothing else of
an event changes; the masked link cannot be put back (no reverse change).
"""

from importlib import import_module

from django.db import migrations

from companies import append_only
from payments.event_cleaning import clean_payload

stripe_event_guard = import_module("payments.migrations.0003_stripe_event_append_only")


def mask_links(apps, schema_editor):
    StripeEvent = apps.get_model("payments", "StripeEvent")
    # unscoped: every company's events, once
    events = StripeEvent.objects.values_list("pk", "payload").iterator()
    changed = [
        (pk, masked) for pk, payload in events if (masked := clean_payload(payload)) != payload
    ]
    if not changed:
        return
    append_only.uninstall(schema_editor, table=stripe_event_guard.TABLE)
    for pk, masked in changed:
        # unscoped: the row just read
        StripeEvent.objects.filter(pk=pk).update(payload=masked)
    append_only.install(
        schema_editor,
        table=stripe_event_guard.TABLE,
        columns=stripe_event_guard.COLUMNS,
        keys=(("id",), ("event_id",)),
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_stripe_event_append_only")]

    operations = [migrations.RunPython(mask_links, migrations.RunPython.noop)]
