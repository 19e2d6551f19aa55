from django.conf import settings
from django.urls import include, path

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

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
