"""What the project talks to: e-mail, background tasks, Stripe, the
certificate that seals signed quotes."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import DEBUG, env

# E-mail printed to the console in debug mode unless EMAIL_URL is set, e.g.
# smtp+tls://user:password@smtp.example.com:587 or filemail:///path/to/folder
_email_url = env.str("EMAIL_URL", default="") or ("consolemail://" if DEBUG else "")
EMAIL_CONFIG = env.email_url_config(_email_url) if _email_url else {}
if _email_url.startswith("filemail:"):
    # filemail:///var/mail/portal is that absolute folder (django-environ would
    # drop its leading slash and write under the working directory).
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = urlsplit(_email_url).path
if not EMAIL_CONFIG or EMAIL_CONFIG["EMAIL_BACKEND"].endswith("console.EmailBackend"):
    if not DEBUG:
        raise ImproperlyConfigured(
            "EMAIL_URL is required when DJANGO_DEBUG is off (production), and not "
            "the console: it would print every e-mail, portal links included, "
            "into the logs. E.g. smtp+tls://user:password@smtp.example.com:587."
        )
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

# Background work (PDF rendering, e-mail): in production the database backend,
# with `manage.py db_worker` processes doing it off the request path; in debug
# mode at once, unless TASKS_BACKEND says otherwise.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default="django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
# A PDF taking longer than this to print is stopped, then tried again later,
# at most PDF_RENDER_ATTEMPTS times in all before the owner is told.
PDF_RENDER_TIME_LIMIT_SECONDS = env.int("PDF_RENDER_TIME_LIMIT_SECONDS", default=60)
PDF_RENDER_ATTEMPTS = env.int("PDF_RENDER_ATTEMPTS", default=3)

# Card payments through Stripe Connect switch on when the platform's secret key
# is set. STRIPE_API_BASE points the stripe library elsewhere (a stand-in server
# in tests); the webhook secret verifies /payments/stripe/webhook/ deliveries.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# Where Pay sends the client: the portal's CSP lets its form go there.
STRIPE_CHECKOUT_ORIGIN = env.str(
    "STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com"
)

# The certificate and key that seal signed quotes (PEM or DER files; the
# certificate file may hold the chain after it). Unset: a self-signed one is
# generated once into the private documents storage (demo and tests only).
SIGNING_CERT_FILE = env.str("SIGNING_CERT_FILE", default="")
SIGNING_KEY_FILE = env.str("SIGNING_KEY_FILE", default="")
SIGNING_KEY_PASSPHRASE = env.str("SIGNING_KEY_PASSPHRASE", default="")

# An approved e-invoicing platform (AFNOR XP Z12-013 Flow and Directory
# Services): each company connects its own in the back office; these apply to
# the French companies of the demo (`manage.py demo`, `seed_demo`) and to tests.
EINVOICING_FLOW_URL = env.str("EINVOICING_FLOW_URL", default="")
EINVOICING_DIRECTORY_URL = env.str("EINVOICING_DIRECTORY_URL", default="")
EINVOICING_TOKEN_URL = env.str("EINVOICING_TOKEN_URL", default="")
EINVOICING_CLIENT_ID = env.str("EINVOICING_CLIENT_ID", default="")
EINVOICING_CLIENT_SECRET = env.str("EINVOICING_CLIENT_SECRET", default="")
EINVOICING_WEBHOOK_SECRET = env.str("EINVOICING_WEBHOOK_SECRET", default="")
# Chorus Pro through PISTE, for public buyers no approved platform reaches
# (applied to the demo's French companies, like the EINVOICING_* ones).
CHORUS_API_URL = env.str("CHORUS_API_URL", default="")
CHORUS_TOKEN_URL = env.str("CHORUS_TOKEN_URL", default="")
CHORUS_CLIENT_ID = env.str("CHORUS_CLIENT_ID", default="")
CHORUS_CLIENT_SECRET = env.str("CHORUS_CLIENT_SECRET", default="")
CHORUS_LOGIN = env.str("CHORUS_LOGIN", default="")
CHORUS_PASSWORD = env.str("CHORUS_PASSWORD", default="")
# A webhook older (or newer) than this, by its Afnor-Signature-Timestamp, is
# refused: a replayed delivery cannot be recorded.
EINVOICING_WEBHOOK_TOLERANCE_SECONDS = env.int(
    "EINVOICING_WEBHOOK_TOLERANCE_SECONDS", default=300
)
# Seconds the platform's HTTP calls may take (connect, read).
EINVOICING_TIMEOUT_SECONDS = env.float("EINVOICING_TIMEOUT_SECONDS", default=20)
