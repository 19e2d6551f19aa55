from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView
from django.views.static import serve

from companies.admin_site import back_office
from config.health import healthz, readyz


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed name exists once collectstatic has run.
    return HttpResponsePermanentRedirect(static("site/favicon.svg"))


# Portal paths get the portal's own 404 (portal/404.html); others Django's.
handler404 = "portal.views.errors.page_not_found"
# A quote's answer too large to read gets its form back with the error.
handler400 = "portal.views.errors.bad_request"
# A back-office page a member's role does not open: said in the back office.
handler403 = "companies.admin_site.permission_denied"

urlpatterns = [
    # Someone typing the bare address is a member looking for the back office;
    # clients come through their own portal links.
    path(
        "",
        login_not_required(RedirectView.as_view(pattern_name="admin:index")),
        name="home",
    ),
    # Browsers ask for /favicon.ico on pages that name no icon (the portal names
    # the company's own).
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", back_office.urls),
    # Before the portal's /p/<token>/: Checkout's way back names no link.
    path("p/checkout/", include("portal.return_urls")),
    path("p/", include("portal.urls")),
    path("payments/", include("payments.urls")),
    path("einvoicing/", include("transmission.urls")),
]

if not settings.AWS_STORAGE_BUCKET_NAME:
    # Public uploads (logos) on the local disk, served by the application in
    # production too: few and small (at most 2 MB each, re-encoded). With S3
    # they come from the bucket. Private files (PDFs) are never under MEDIA.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            login_not_required(require_safe(serve)),
            {"document_root": settings.MEDIA_ROOT},
            name="media",
        )
    ]
