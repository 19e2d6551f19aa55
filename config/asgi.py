"""The ASGI application: what the stream server (uvicorn) serves.

Pages are served by the WSGI application (config/wsgi.py); this one serves
the live portal's event streams, and anything else routed to it, with the
pages' server's limits on request lines and headers (config/limits.py).
"""

import os

from django.core.asgi import get_asgi_application

from config.limits import RequestLimits

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = RequestLimits(get_asgi_application())
