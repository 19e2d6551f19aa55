"""Settings for the client portal: one module, every knob from the environment.

`.env.example` lists every variable. With none set the project runs embedded:
SQLite, files on the local disk, e-mail printed to the console, tasks run
immediately.
"""

import base64
import datetime as dt
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():  # optional file; real environment variables win
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (production)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off (production)."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

# The full address the portal links are built on, e-mails included. Production
# must name it (a default would e-mail clients links to localhost), and its
# scheme says whether the site is reached over HTTPS (see Security below).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="").rstrip("/")
if not PORTAL_BASE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PORTAL_BASE_URL is required when DJANGO_DEBUG is off (production), "
            "e.g. https://portal.example.com: every link e-mailed to clients "
            "starts with it."
        )
    PORTAL_BASE_URL = "http://127.0.0.1:8000"
_base = urlsplit(PORTAL_BASE_URL)
if _base.scheme not in ("http", "https") or not _base.hostname:
    raise ImproperlyConfigured(
        f"PORTAL_BASE_URL must be an http(s) address, not {PORTAL_BASE_URL!r}."
    )
# Plain HTTP only on this machine (the demo, a local try-out); anywhere else a
# portal link is a capability and travels over HTTPS only.
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
HTTPS = _base.scheme == "https"
if not DEBUG and not HTTPS and _base.hostname not in _LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "PORTAL_BASE_URL must start with https:// in production "
        f"(plain http is for this machine only), not {PORTAL_BASE_URL!r}."
    )
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"{_base.scheme}://{_base.netloc}"]
)

INSTALLED_APPS = [
    # The back office registers its own AdminSite, so no default site.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "companies",
    "clients",
    "branding",
    "documents",
    "einvoicing",
    "printing",
    "mail",
    "signing",
    "payments",
    "backoffice",
    "portal",
    "demo",
]

MIDDLEWARE = [
    # First: who is asking (through trusted proxies only), and one log line per
    # request with its duration and id.
    "portal.middleware.FrontDoorMiddleware",
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything that reads the session or the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PortalMiddleware",
    "portal.middleware.BackOfficeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "companies.middleware.ActiveCompanyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in into the cool-down page.
    "axes.middleware.AxesMiddleware",
]

# Fields one request may post. Django's 1,000 stops a draft invoice at 160
# lines; the back office's largest form is a draft at the 200-line limit
# (documents.totals.MAX_LINES): 7 fields a line (id, document, description,
# quantity, unit price, VAT rate, delete) for its 200 lines, the blank row and
# the template row it also posts (1,414), plus the header, the inlines'
# management forms and the history rows (under 100). A test posts that page.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_500

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite unless DATABASE_URL is set, e.g. postgres://portal:portal@db:5432/portal
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # No request or task waits on the database for ever: a statement running
    # longer than this is canceled (0 turns it off, e.g. for long migrations).
    _statement_timeout_ms = 1000 * env.int(
        "DATABASE_STATEMENT_TIMEOUT_SECONDS", default=0 if DEBUG else 30
    )
    _options["options"] = f"-c statement_timeout={_statement_timeout_ms}"
    # Under ASGI each request runs in its own thread, so connections are kept in
    # a pool per process (psycopg_pool) rather than per thread.
    _pool_size = env.int("DATABASE_POOL_MAX_SIZE", default=0 if DEBUG else 8)
    if _pool_size:
        _options["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
        DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not DEBUG:
    # The demo runs web processes and a task worker on one SQLite file: WAL lets
    # readers and the writer work at once, IMMEDIATE transactions take the write
    # lock up front instead of failing half-way, and a writer waits its turn.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "companies.User"
LOGIN_URL = "admin:login"
# Where a sign-in lands when its `next` is missing or refused (another site).
LOGIN_REDIRECT_URL = "admin:index"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt while the account or the address cools down.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_PASSWORD_VALIDATION = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_PASSWORD_VALIDATION}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_PASSWORD_VALIDATION}.MinimumLengthValidator"},
    {"NAME": f"{_PASSWORD_VALIDATION}.CommonPasswordValidator"},
    {"NAME": f"{_PASSWORD_VALIDATION}.NumericPasswordValidator"},
]

# The cache holds the portal's pages and the rate limits, so every web process
# must see the same one: Redis when REDIS_URL is set, else a table of the
# database (portal/migrations creates it). A per-process memory cache only in
# debug mode, where there is one process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache with one connection pool per process.
            "BACKEND": "config.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves them from every web process: in production the names carry
# their content's hash (cached for a year) and a gzip and a Brotli copy sit
# beside each, all made by `collectstatic`; in debug mode, straight from the
# apps' folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Public media (logos) and private files (document PDFs) live apart: the private
# storage has no URL at all, so a PDF can only leave through a view that checks
# the portal token or the member's rights.
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=BASE_DIR / "private")

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "file_overwrite": False,
        # Presigned PDF links: SigV4, which every region and S3-compatible
        # store accepts (SigV2 is legacy and refused by newer regions).
        "signature_version": "s3v4",
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3_options, "location": "media", "querystring_auth": False},
        },
        # PDFs pass through the web process, which checks their SHA-256 on
        # the way out: no presigned URL hands them over unchecked.
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3_options, "location": "private", "default_acl": "private"},
        },
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
        },
    }
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

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

# Distinct wrong portal links one address may try in a window before a 429
# (a valid link is never refused).
PORTAL_MISS_LIMIT = env.int("PORTAL_MISS_LIMIT", default=30)
PORTAL_MISS_WINDOW_SECONDS = env.int("PORTAL_MISS_WINDOW_SECONDS", default=600)
# Our own load balancers (addresses or CIDR networks): X-Forwarded-For and
# X-Forwarded-Proto are believed only from them, never from anyone else.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

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

# Security. Production behind HTTPS (PORTAL_BASE_URL says so) gets the redirect,
# HSTS and secure cookies; `manage.py check --deploy` then reports nothing.
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

# Logging: everything goes to the root's one handler, whose filter masks every
# portal token (messages, arguments and tracebacks alike). Django's own default
# handlers (an unmasked console in debug mode, mail to ADMINS) are replaced by
# none, so nothing reaches a handler without the mask; the production server's
# own loggers carry the same filter (deploy/gunicorn.conf.py).
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

# Open portal pages: how often each server process reads the revisions of the
# clients it streams to (one query for all of them), and whether the ASGI
# application streams at all (off: pages poll, see portal/views/live.py).
PORTAL_LIVE_POLL_SECONDS = env.float("PORTAL_LIVE_POLL_SECONDS", default=1.0)
PORTAL_LIVE_STREAMS = env.bool("PORTAL_LIVE_STREAMS", default=True)
