"""Keep portal tokens out of every log line, whoever writes it.

One filter, put on every handler: the root's (config/settings.py) and the
production server's own error and access handlers (deploy/gunicorn.conf.py).
It masks the rendered message, the traceback and the stack of each record, so
a token cannot leave through an argument, an exception's text or a repr.
"""

import logging
import re

MASK = "[token]"

# A portal path is /p/<token>/…: whatever the case (/P/), however the slashes
# are written (%2F, \x2f, doubled), the whole segment after it is masked, odd
# characters included (/p/%20<token>/, /p/.<token>/, a repr's \x01).
_SLASH = r"(?:/|%2f|\\x2f|\\/)"
PORTAL_TOKEN_IN_PATH = re.compile(
    rf"(?P<prefix>{_SLASH}+p{_SLASH}+)[^/\s\"'<>?#&|]+", re.IGNORECASE
)
# And a bare token anywhere (a URL's keyword arguments, a resolver's message):
# 43 URL-safe base64 characters, as secrets.token_urlsafe(32) writes them.
BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{43}(?![A-Za-z0-9_\-])")


def mask_portal_tokens(text: str) -> str:
    text = PORTAL_TOKEN_IN_PATH.sub(rf"\g<prefix>{MASK}", text)
    return BARE_TOKEN.sub(MASK, text)


class MaskPortalTokenFilter(logging.Filter):
    """Rewrite a record so that no portal token is left in anything it prints.

    The message is rendered first (Django, gunicorn and uvicorn put the path in
    the record's arguments), then masked; a traceback is formatted and masked
    into `exc_text`, which every formatter prints instead of formatting again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: print it as it came
            message = f"{record.msg} {record.args}"
        masked = mask_portal_tokens(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_portal_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_portal_tokens(record.stack_info)
        return True


def mask_every_handler() -> None:
    """Put the filter on every handler of every logger that lacks it.

    Settings and the server's configuration put it on the handlers they make;
    this catches a handler a library adds by itself after them.
    """
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, MaskPortalTokenFilter) for f in handler.filters):
                handler.addFilter(MaskPortalTokenFilter())
