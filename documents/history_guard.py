"""The document history's append-only guard, defined once.

Every migration that installs or reinstalls the guard of
`documents_documentevent` imports it from here. SQLite rebuilds the table, and
drops its triggers, whenever a migration changes one of its constraints, which
every new event kind does; the migration then reinstalls the guard, and it has
to come back whole, the draft exception below included. A guard written out by
hand in one migration would be silently replaced by the plain one at the next
reinstall.

`tests/test_append_only_guards.py` checks that, once migrated, the database
holds exactly these triggers.
"""

from typing import Any

from companies import append_only

TABLE = "documents_documentevent"
COLUMNS = (
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
# A draft's own history (created, hidden, shown, from a quote) goes with the
# draft when it is deleted ("Delete draft"); every other document's history
# stays. A draft is a document whose history records no finalisation: every
# way out of draft (finalising, a credit note, a deposit invoice) writes the
# `finalised` event with the version, and that event, append-only itself, never
# goes. The condition reads the history table only, never documents_document:
# SQLite rebuilds documents_document whenever a migration changes one of its
# constraints, and refuses to when another table's trigger names it ("error in
# trigger …: no such table"). Checked for every guard by
# tests/test_append_only_guards.py.
DELETABLE_WHEN = (
    f"NOT EXISTS (SELECT 1 FROM {TABLE} AS finalisation"
    " WHERE finalisation.document_id = OLD.document_id"
    " AND finalisation.kind = 'finalised')"
)

GUARD: dict[str, Any] = {
    "table": TABLE,
    "columns": COLUMNS,
    "deletable_when": DELETABLE_WHEN,
}


def reinstall(schema_editor: Any) -> None:
    """Put the history's guard back, whole (see the module's docstring)."""
    append_only.reinstall(schema_editor, **GUARD)
