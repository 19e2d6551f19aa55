"""The front door's middleware, one module per concern:

- `front_door`: who is asking (trusted proxies), refused methods;
- `request_log`: the request's id and its one log line;
- `portal_pages`: the portal's headers, and the brake on guessing links;
- `policy`: the Content-Security-Policy of every response (django-csp).

The portal's own resolution of a link (client, language, brand, preview) is
not middleware: `portal.door`, called by each portal view.
"""

from portal.middleware.front_door import (
    FrontDoorMiddleware,
    client_address,
    forwarded_client_address,
)
from portal.middleware.policy import ContentSecurityPolicyMiddleware
from portal.middleware.portal_pages import (
    PortalHeadersMiddleware,
    PortalMissLimitMiddleware,
)
from portal.middleware.request_log import RequestLogMiddleware

__all__ = [
    "ContentSecurityPolicyMiddleware",
    "FrontDoorMiddleware",
    "PortalHeadersMiddleware",
    "PortalMissLimitMiddleware",
    "RequestLogMiddleware",
    "client_address",
    "forwarded_client_address",
]
