"""The core: mode, secret key, hosts, the portal's address, apps, middleware,
templates, sign-in and languages."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
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
# scheme says whether the site is reached over HTTPS (see `security`).
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
PORTAL_ORIGIN = f"{_base.scheme}://{_base.netloc}"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[PORTAL_ORIGIN])

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
    "csp",
    "companies",
    "clients",
    "branding",
    "documents",
    "einvoicing",
    "printing",
    "mail",
    "signing",
    "payments",
    "accounting",
    "transmission",
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
    # The portal's headers outside its miss limit, which may answer a 429
    # of its own; the policy outside both.
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "portal.middleware.PortalHeadersMiddleware",
    # Inside a link that opens a portal, its errors on the portal's own page.
    "portal.error_pages.PortalErrorPagesMiddleware",
    "portal.middleware.PortalMissLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "companies.middleware.ActiveCompanyMiddleware",
    "companies.middleware.MemberLanguageMiddleware",
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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True
