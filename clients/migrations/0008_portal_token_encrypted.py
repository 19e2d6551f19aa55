"""Portal links stored encrypted: each client's token is encrypted under
PORTAL_TOKEN_KEYS (clients.portal_link), then the clear column goes. Reversed,
the tokens are decrypted back into it."""

from django.db import migrations, models

from clients.portal_link import portal_token_decrypt, portal_token_encrypt


def encrypt(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    # unscoped: every company's clients, once
    for pk, token in Client.objects.values_list("pk", "portal_token").iterator():
        Client.objects.filter(pk=pk).update(
            portal_token_encrypted=portal_token_encrypt(token)
        )


def decrypt(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    # unscoped: every company's clients, once
    rows = Client.objects.values_list("pk", "portal_token_encrypted").iterator()
    for pk, stored in rows:
        Client.objects.filter(pk=pk).update(portal_token=portal_token_decrypt(stored))


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_electronic_address")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="portal_token_encrypted",
            field=models.CharField(default="", editable=False, max_length=255),
            preserve_default=False,
        ),
        # Before the tokens move: reversed, the clear column is filled again
        # before its uniqueness comes back.
        migrations.RemoveConstraint(
            model_name="client", name="client_portal_token_unique"
        ),
        migrations.RunPython(encrypt, decrypt),
        # A default for the way back, which adds the column to filled rows.
        migrations.AlterField(
            model_name="client",
            name="portal_token",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.RemoveField(model_name="client", name="portal_token"),
    ]
