"""The refusal every document service raises: a message written for people."""

from companies.errors import ActionRefused


class DocumentError(ActionRefused):
    """A document action refused; the message is written for people."""
