"""Records written once and never changed: versions, history, audit, evidence.

Two guards, because either alone can be walked around. The model refuses
`save()` on a stored row and `delete()`; the database refuses what bypasses the
model (`QuerySet.update()`, `.delete()`, raw SQL) with triggers that every
append-only table installs through `install()` in a migration:

- no UPDATE, except filling in `attach_once` columns that are still empty
  (a version's PDF is attached once, after the row is written);
- no DELETE, except where the table's guard names a condition on the row
  (`deletable_when`: the document history lets a draft's own events go with
  the draft, and nothing else);
- PostgreSQL: no TRUNCATE (a statement trigger; `TRUNCATE … CASCADE` from a
  parent table fires it too);
- SQLite: no INSERT over an existing key, since `INSERT OR REPLACE` deletes the
  old row without firing delete triggers.

Migrations pass the table's columns and keys themselves, so a migration keeps
installing the same triggers whatever the models become later. A table whose
guard has more than columns and keys (the history's `deletable_when`) keeps
them in one module that every migration installing it imports
(`documents/history_guard.py`): SQLite drops a table's triggers whenever a
migration rebuilds it (a changed check constraint, say, as every new event
kind is), so the guard is reinstalled often, and must come back whole.
`guard_statements()` is what `install()` runs, so a test can compare it with
what the database holds.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import models


class ImmutableRecordError(Exception):
    """An append-only record was asked to change or disappear."""


class AppendOnly(models.Model):
    """A model whose rows are written once; see the module's docstring."""

    # Columns a stored row may still fill in once (as `save(update_fields=…)`).
    attach_once: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or fields - set(self.attach_once):
                raise ImmutableRecordError(
                    f"A stored {self._meta.verbose_name} is never changed."
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(
            f"A stored {self._meta.verbose_name} is never deleted."
        )


def _postgres(
    table: str,
    columns: Sequence[str],
    attach_once: Sequence[str],
    deletable_when: str,
) -> list[str]:
    function = f"{table}_append_only"
    allowed = "FALSE"
    if attach_once:
        frozen = [column for column in columns if column not in attach_once]
        old = ", ".join(f"OLD.{column}" for column in frozen)
        new = ", ".join(f"NEW.{column}" for column in frozen)
        filled = " AND ".join(
            f"OLD.{column} = '' AND NEW.{column} <> ''" for column in attach_once
        )
        allowed = f"{filled} AND ({new}) IS NOT DISTINCT FROM ({old})"
    deletable = ""
    if deletable_when:
        deletable = f"""
            IF TG_OP = 'DELETE' THEN
                IF {deletable_when} THEN
                    RETURN OLD;
                END IF;
            END IF;"""
    return [
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            -- Nested: OLD and NEW are NULL outside row-level triggers.
            IF TG_OP = 'UPDATE' THEN
                IF {allowed} THEN
                    RETURN NEW;
                END IF;
            END IF;{deletable}
            RAISE EXCEPTION USING
                MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
                ERRCODE = 'integrity_constraint_violation';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER {table}_append_only_rows
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}();
        """,
        f"""
        CREATE TRIGGER {table}_append_only_truncate
            BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}();
        """,
    ]


def _sqlite(
    table: str,
    columns: Sequence[str],
    attach_once: Sequence[str],
    keys: Sequence[Sequence[str]],
    deletable_when: str,
) -> list[str]:
    def refuse(operation: str) -> str:
        return f"SELECT RAISE(ABORT, '{table} is append-only: {operation} refused');"

    allowed = "0"
    if attach_once:
        frozen = [column for column in columns if column not in attach_once]
        allowed = " AND ".join(
            [f"OLD.{column} = '' AND NEW.{column} <> ''" for column in attach_once]
            + [f"NEW.{column} IS OLD.{column}" for column in frozen]
        )
    taken = " OR ".join(
        "EXISTS (SELECT 1 FROM {table} WHERE {match})".format(
            table=table,
            match=" AND ".join(f"{column} = NEW.{column}" for column in key),
        )
        for key in keys
    )
    delete_when = f"\n        WHEN NOT ({deletable_when})" if deletable_when else ""
    return [
        f"""
        CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table}{delete_when}
        BEGIN {refuse("DELETE")} END;
        """,
        f"""
        CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table}
        WHEN NOT ({allowed})
        BEGIN {refuse("UPDATE")} END;
        """,
        f"""
        CREATE TRIGGER {table}_append_only_replace BEFORE INSERT ON {table}
        WHEN {taken}
        BEGIN {refuse("INSERT over an existing row")} END;
        """,
    ]


def guard_statements(
    vendor: str,
    *,
    table: str,
    columns: Sequence[str],
    keys: Sequence[Sequence[str]] = (("id",),),
    attach_once: Sequence[str] = (),
    deletable_when: str = "",
) -> list[str]:
    """The SQL that `install()` runs on `vendor` ("postgresql", "sqlite"); none
    for another database."""
    if vendor == "postgresql":
        return _postgres(table, columns, attach_once, deletable_when)
    if vendor == "sqlite":
        return _sqlite(table, columns, attach_once, keys, deletable_when)
    return []


def install(
    schema_editor: Any,
    *,
    table: str,
    columns: Sequence[str],
    keys: Sequence[Sequence[str]] = (("id",),),
    attach_once: Sequence[str] = (),
    deletable_when: str = "",
) -> None:
    """Install the append-only triggers on `table` (PostgreSQL and SQLite).

    `columns` are all the table's columns; `keys` its unique keys (for the
    SQLite REPLACE guard); `attach_once` the columns that may be filled once;
    `deletable_when` an SQL condition on `OLD` under which a row may be
    deleted (none: never).
    """
    for statement in guard_statements(
        schema_editor.connection.vendor,
        table=table,
        columns=columns,
        keys=keys,
        attach_once=attach_once,
        deletable_when=deletable_when,
    ):
        schema_editor.execute(statement)


def uninstall(schema_editor: Any, *, table: str) -> None:
    """Remove what `install()` put on `table`."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for suffix in ("rows", "truncate"):
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_append_only_{suffix} ON {table};"
            )
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")
    elif vendor == "sqlite":
        for suffix in ("delete", "update", "replace"):
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_append_only_{suffix};"
            )


def reinstall(
    schema_editor: Any,
    *,
    table: str,
    columns: Sequence[str],
    keys: Sequence[Sequence[str]] = (("id",),),
    attach_once: Sequence[str] = (),
    deletable_when: str = "",
) -> None:
    """Put `install()`'s triggers back on `table`, whether or not they are there.

    SQLite applies some schema changes (a changed check constraint, say) by
    rebuilding the table, and the rebuilt table has no triggers: a migration
    that changes an append-only table calls this after.
    """
    uninstall(schema_editor, table=table)
    install(
        schema_editor,
        table=table,
        columns=columns,
        keys=keys,
        attach_once=attach_once,
        deletable_when=deletable_when,
    )
