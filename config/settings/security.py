"""Sign-in limits, HTTPS, security headers and the Content-Security-Policy."""

import base64
import datetime as dt
import hashlib
from pathlib import Path

from config.settings.base import BASE_DIR, DEBUG, HTTPS, SECRET_KEY, env

# Portal links are stored encrypted (clients/portal_link.py): Fernet keys,
# comma-separated, the first one encrypting and every one decrypting, so a key
# is rotated by putting a new one first (`manage.py portal_token_keys_rotate`,
# then drop the old one). Required in production (`check --deploy` fails
# without it). Debug mode derives one from the secret key, after the demo's own
# key (made once into DEMO_DATA_DIR by `manage.py demo`), so that runserver and
# the demo read each other's links in the SQLite file they share.
PORTAL_TOKEN_KEYS = env.list("PORTAL_TOKEN_KEYS", default=[])
if not PORTAL_TOKEN_KEYS and DEBUG:
    _demo_keys = (
        Path(env.str("DEMO_DATA_DIR", default="") or BASE_DIR / "var" / "demo")
        / "portal_token_keys"
    )
    if _demo_keys.is_file():
        PORTAL_TOKEN_KEYS = _demo_keys.read_text().split()
    _derived = hashlib.sha256(f"portal-token-key:{SECRET_KEY}".encode()).digest()
    PORTAL_TOKEN_KEYS.append(base64.urlsafe_b64encode(_derived).decode())

# Password guessing on the back office's sign-in (django-axes, counted in the
# database, so every web process sees the same count): an account cools down at
# one address after LOGIN_FAILURE_LIMIT failures there; an address (whatever the
# accounts: an office's colleagues share it) or an account (whatever the
# addresses) only past LOGIN_FAILURE_CEILING (companies/login_guard.py).
AXES_HANDLER = "companies.login_guard.OfficeLockoutHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_CEILING = env.int("LOGIN_FAILURE_CEILING", default=50)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# What a success clears: its own pair only.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the admin's form names the e-mail so
AXES_USERNAME_CALLABLE = "companies.admin_site.login_username"
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "companies.admin_site.login_locked_out"
AXES_ENABLE_ADMIN = False  # the back office is the companies', not ours
AXES_VERBOSE = False

# Our own load balancers (addresses or CIDR networks): X-Forwarded-For,
# X-Forwarded-Proto and X-Request-ID are believed only from them.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Production behind HTTPS (PORTAL_BASE_URL says so) gets the redirect, HSTS and
# secure cookies; `manage.py check --deploy` then reports nothing.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Believed only when a trusted proxy sent it (portal.middleware drops it else).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG and HTTPS:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
    )
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Probes of the load balancer and the container come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# The Content-Security-Policy of every response (django-csp): our own files
# only, no inline script, no other origin, no nonce (a nonce would make every
# cached page unique). The portal adds its brand style's hash, where its forms
# may go (Stripe's Checkout) and its manifest; the back office the hash of the
# one inline style Django's admin writes and the logos' bucket
# (portal.middleware.policy).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
