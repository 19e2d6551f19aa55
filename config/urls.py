from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from companies.admin_site import back_office


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# Portal paths get the portal's own 404 (portal/404.html); others Django's.
handler404 = "portal.views.errors.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", back_office.urls),
    path("p/", include("portal.urls")),
    path("payments/", include("payments.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
