"""Where the capabilities built on documents plug into a document's life.

Printing, e-mail and e-invoicing import documents, never the reverse (see the
README's import directions). What a document's services must set off in them
is registered here, once, by each app's `AppConfig.ready()`:

- `version_written`: printing prints every version written (on commit);
- `client_event_written`: mail tells the company's members what a client did;
- `content_completions`: einvoicing adds the mentions it prints, in the
  document's language, to the content a version freezes (stored as printed);
- `issue_checks`: einvoicing refuses content that cannot make a valid
  e-invoice, before a number is allocated;
- `event_written`: every event of a document's history as it is written
  (transmission sends the "Encaissée" status when an invoice is paid).

Each hook is called inside the service's transaction: work with outside
effects is put off with `transaction.on_commit` by the hook itself.
"""

from collections.abc import Callable
from typing import Any

from documents.models import DocumentEvent, DocumentVersion

version_written: list[Callable[[DocumentVersion], None]] = []
client_event_written: list[Callable[[DocumentEvent], None]] = []
# (a version's content as `snapshot` builds it) -> keys to add to it
content_completions: list[Callable[[dict[str, Any]], dict[str, Any]]] = []
# (a version's content as `snapshot` freezes it, the error type to raise)
issue_checks: list[Callable[[dict[str, Any], type[Exception]], None]] = []
event_written: list[Callable[[DocumentEvent], None]] = []


def register(hooks: list[Any], function: Callable[..., Any]) -> None:
    """Add `function` to `hooks` once (ready() may run twice in tests)."""
    if function not in hooks:
        hooks.append(function)
