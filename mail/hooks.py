"""Where the apps above mail say what their e-mails to the client hold.

Payments and signing import mail, never the reverse (see the README's import
directions). An e-mail telling the client what it did (a receipt, a signed or
declined quote, a declared transfer) is a `ClientEmail` row like the others,
delivered and retried by `mail.delivery`; what it says and what it carries is
registered here, per kind, by each app's `AppConfig.ready()`. The function is
called in the delivery task, in the client's language, and may do slow work
(print a receipt, seal a signed quote) since it runs off the request path.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from documents.models import ClientEmail


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class EmailContent:
    """An e-mail's words (the same for its HTML and plain-text parts)."""

    subject: str
    intro: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    button: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    # Where the button goes: the document's page unless this says otherwise.
    link_to_portal: bool = False


# ClientEmail.Kind -> (the e-mail row, its company's display name) -> content
email_contents: dict[str, Callable[[ClientEmail, str], EmailContent]] = {}


def register(kind: str, function: Callable[[ClientEmail, str], EmailContent]) -> None:
    """Say what e-mails of `kind` hold (ready() may run twice in tests)."""
    email_contents[kind] = function
