"""The refusal every document service raises: a message written for people."""


class DocumentError(Exception):
    """A document action refused; the message is written for people."""
