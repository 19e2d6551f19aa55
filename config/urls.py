from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from django.views.static import serve

from companies.admin_site import back_office
from config.health import healthz, readyz

# Portal paths get the portal's own 404 (portal/404.html); others Django's.
handler404 = "portal.views.errors.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", back_office.urls),
    path("p/", include("portal.urls")),
    path("payments/", include("payments.urls")),
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
