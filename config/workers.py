"""The production server's worker: uvicorn under gunicorn, serving config.asgi.

gunicorn manages the processes (N workers, restarts, graceful reloads, the
timeout); uvicorn speaks HTTP/1.1 to the ASGI application, which streams (the
live portal's server-sent events need that).
"""

from uvicorn_worker import UvicornWorker


class PortalUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": "httptools",
        # Django has no lifespan protocol; "auto" would only log that.
        "lifespan": "off",
        # One line per request comes from the application (portal.requests),
        # with the route's name instead of the path, so none from the server.
        "access_log": False,
        # X-Forwarded-For is read by the application from trusted proxies only
        # (TRUSTED_PROXIES); uvicorn's own reading would believe loopback.
        "proxy_headers": False,
        "server_header": False,
    }
