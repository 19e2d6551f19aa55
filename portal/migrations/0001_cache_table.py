"""The database cache's table, for production without Redis (settings.CACHES).

Created whatever the cache is set to now, so switching from Redis to the
database later needs no extra command; the same table `createcachetable` makes.
"""

from django.core.management.commands.createcachetable import Command
from django.db import migrations

TABLE = "portal_cache"


def create(apps, schema_editor):
    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create, drop)]
