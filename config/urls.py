"""Lanes URLs: pages, the admin, login, and the REST API under /api/v1/."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.favicon import favicon
from config.health import healthz
from district import views as district_views
from district.api import errors as api_errors

# Swagger UI starts from an inline script and style: this page alone allows them,
# by a per-request nonce (templates/drf_spectacular/swagger_ui.html), plus the
# data: images its stylesheet uses.
api_docs = csp_update({"script-src": NONCE, "style-src": NONCE, "img-src": "data:"})(
    SpectacularSwaggerView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", include("district.urls")),
    path("", include("roles.urls")),
    path("", include("goals.urls")),
    path("", include("routines.urls")),
    path("", include("tokens.urls")),
    path("", include("tiers.urls")),
    path("", include("rhythm.urls")),
    path("", include("decisions.urls")),
    path("", include("publishing.urls")),
    # Ahead of Django's own: password reset only when the server can send mail.
    path("accounts/", include("config.password_reset")),
    path("accounts/", include("django.contrib.auth.urls")),
    # Ahead of the admin's own "view on site", which would find other districts' objects.
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        district_views.view_on_site,
        name="admin-view-on-site",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("district.api.urls")),
    path("api/v1/", include("roles.api.urls")),
    path("api/v1/", include("goals.api.urls")),
    path("api/v1/", include("routines.api.urls")),
    path("api/v1/", include("tokens.api.urls")),
    path("api/v1/", include("tiers.api.urls")),
    path("api/v1/", include("rhythm.api.urls")),
    path("api/v1/", include("decisions.api.urls")),
    path("api/v1/", include("publishing.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        api_docs,
        name="api-docs",
    ),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Last: any other path under /api/ answers a JSON 404.
    re_path(r"^api/", api_errors.not_found),
]

# Under /api/ errors are JSON, elsewhere Django's pages (district/api/errors.py).
handler400 = api_errors.bad_request
handler403 = api_errors.permission_denied
handler404 = api_errors.page_not_found
handler500 = api_errors.server_error

admin.site.site_header = "Lanes administration"
admin.site.site_title = "Lanes"
