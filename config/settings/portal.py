"""The portal's own limits, its live pages, and logging."""

from config.settings.base import env

# Distinct wrong portal links one address may try in a window before a 429
# (a valid link is never refused).
PORTAL_MISS_LIMIT = env.int("PORTAL_MISS_LIMIT", default=30)
PORTAL_MISS_WINDOW_SECONDS = env.int("PORTAL_MISS_WINDOW_SECONDS", default=600)

# Open portal pages: how often each stream server process reads the revisions
# of the clients it streams to (one query for all of them), and whether the
# ASGI application streams at all (off: pages poll, see portal/views/live.py).
PORTAL_LIVE_POLL_SECONDS = env.float("PORTAL_LIVE_POLL_SECONDS", default=1.0)
PORTAL_LIVE_STREAMS = env.bool("PORTAL_LIVE_STREAMS", default=True)
# Where open pages find their stream: empty when the proxy routes the streams'
# paths to the stream server on the same address (deploy/nginx.conf); else the
# stream server's own origin (the demo serves it on a second port), which the
# portal's CSP then allows to be connected to.
PORTAL_LIVE_ORIGIN = env.str("PORTAL_LIVE_ORIGIN", default="").rstrip("/")
# Open streams at once: per portal link, and per address (an office's many
# clients behind one address); past either, 429 and the page polls instead.
# Counted in Redis when REDIS_URL is set, so the bound holds across processes.
PORTAL_LIVE_STREAMS_PER_LINK = env.int("PORTAL_LIVE_STREAMS_PER_LINK", default=10)
PORTAL_LIVE_STREAMS_PER_ADDRESS = env.int(
    "PORTAL_LIVE_STREAMS_PER_ADDRESS", default=100
)

# Logging: everything goes to the root's one handler, whose filter masks every
# portal token (messages, arguments and tracebacks alike). Django's own default
# handlers (an unmasked console in debug mode, mail to ADMINS) are replaced by
# none, so nothing reaches a handler without the mask; the production servers'
# own loggers carry the same filter (deploy/gunicorn*.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_portal_token": {"()": "portal.logging.MaskPortalTokenFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s [%(process)d] %(levelname)s %(name)s %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_portal_token"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # 4xx warnings only: each request already has its line from
        # portal.requests (method, route, status, duration, request id).
        "django.request": {"handlers": [], "level": "WARNING", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Their progress lines would drown the demo's own output.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
