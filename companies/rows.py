"""Writing a row once, in one statement: INSERT … unless its key is stored.

A unique key decides whether a row is new (a Stripe event, a payment intent),
not a check before the insert. The ORM can say it only with a savepoint around
an INSERT that may fail (three round trips); this is one: `INSERT … ON
CONFLICT DO NOTHING RETURNING` on PostgreSQL, which waits for a concurrent
writer of the same key to commit and then skips. On SQLite, whose writers take
turns anyway, the insert is conditional on the key being absent, since an
append-only table's guard refuses an INSERT over a stored key before ON
CONFLICT could skip it (`companies.append_only`).
"""

from django.db import connections
from django.db.models import Model


def insert_unless_stored(row: Model, *, key: str, key_not_null: bool = False) -> bool:
    """Insert `row` unless another holds its value of the unique column `key`;
    whether it was inserted (its primary key is then set). `key_not_null`: the
    unique constraint holds only where the key is not NULL (a partial index,
    which ON CONFLICT must name). Any other refusal of the database goes up."""
    meta = row._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    unique = next(field for field in fields if field.name == key)
    assert meta.pk is not None
    connection = connections[type(row)._default_manager.db]
    values = [
        field.get_db_prep_save(field.pre_save(row, True), connection)
        for field in fields
    ]
    quote = connection.ops.quote_name
    table, column = quote(meta.db_table), quote(str(unique.column))
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    returning = f"RETURNING {quote(str(meta.pk.column))}"
    if connection.vendor == "sqlite":
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {placeholders} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = %s) {returning}"
        )
        values.append(getattr(row, unique.attname))
    else:
        target = (
            f"({column}) WHERE {column} IS NOT NULL" if key_not_null else f"({column})"
        )
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
            f"ON CONFLICT {target} DO NOTHING {returning}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk = inserted[0]
    row._state.adding = False
    row._state.db = connection.alias
    return True
