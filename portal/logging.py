"""Keep portal tokens out of every log line."""

import logging
import re

# A portal path is /p/<token>/…; the token is the capability, so no log keeps it.
PORTAL_TOKEN_IN_PATH = re.compile(r"/p/[A-Za-z0-9_\-]+")
MASKED_PORTAL_PATH = "/p/[token]"


def mask_portal_tokens(text: str) -> str:
    return PORTAL_TOKEN_IN_PATH.sub(MASKED_PORTAL_PATH, text)


class MaskPortalTokenFilter(logging.Filter):
    """Rewrite a record's message with every portal token masked.

    Django's `django.request` and `django.server` loggers put the request path in
    the record's arguments, so the message is rendered first and then masked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_portal_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
