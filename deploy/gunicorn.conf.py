"""The production servers, both gunicorn with this file:

    # pages (and everything but the live streams): WSGI, sync workers
    gunicorn -c deploy/gunicorn.conf.py config.wsgi:application
    # the live portal's event streams: ASGI under uvicorn workers
    gunicorn -c deploy/gunicorn.conf.py -k config.workers.PortalUvicornWorker \
        --workers 1 config.asgi:application

A proxy routes `/p/<token>/events/` to the second and the rest to the first
(deploy/nginx.conf); without one (the demo), the pages name the stream
server's own address (PORTAL_LIVE_ORIGIN). Every knob has an environment
variable; the demo and the tests start them the same way.
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Pages are synchronous Django, served by synchronous workers: one request at
# a time per process, no event loop and no thread to hop to and from (README,
# "Serving": measured against gthread and the uvicorn workers). They rely on a
# buffering proxy in front (nginx) for slow clients; without one, choose
# WEB_WORKER_CLASS=gthread and WEB_THREADS.
worker_class = os.environ.get("WEB_WORKER_CLASS", "sync")
threads = int(os.environ.get("WEB_THREADS", "1"))
# The application is imported once, by the master, before the workers are
# forked: a worker boots at once (importing Django and every app in each
# worker took longer than `timeout` on a loaded machine, which restarted it
# again and again) and the workers share the imported code's memory.
preload_app = True
# A worker that has not answered its master for this long is restarted.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# A worker is replaced after this many requests (0: never), with some jitter so
# they are not all replaced at once.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max(max_requests // 10, 0)
# Small request lines and headers: nothing of ours needs more. gunicorn's
# own parser enforces them on pages; the stream server's uvicorn does not
# read these, so config.asgi applies the same numbers (config/limits.py).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# The application reads forwarding headers itself, from TRUSTED_PROXIES only.
forwarded_allow_ips = ""
proc_name = "client-portal"
# No runtime control socket: several servers share a machine (the demo, tests).
control_socket_disable = True

# The server's own log: errors only on stderr, no access log (the application
# writes one structured line per request). Every handler masks portal tokens,
# the same filter as the application's (portal/logging.py), so a malformed
# request line or a worker's traceback cannot print one either.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
_MASK = {"()": "portal.logging.MaskPortalTokenFilter"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_portal_token": _MASK},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] %(levelname)s %(name)s %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["mask_portal_token"],
            "stream": "ext://sys.stderr",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["mask_portal_token"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {
            "level": loglevel.upper(),
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        # Kept without a handler: were an access log ever switched on, its
        # lines would still pass through the masked root.
        "gunicorn.access": {
            "level": "WARNING",
            "handlers": [],
            "propagate": True,
            "qualname": "gunicorn.access",
        },
    },
}


def when_ready(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Say once, at start, what several web processes would not share."""
    if not os.environ.get("REDIS_URL"):
        server.log.warning(
            "REDIS_URL is not set: the cache and the portal's rate limits live in "
            "the database (table portal_cache), shared by every process but "
            "slower than Redis."
        )
