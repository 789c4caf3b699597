"""Lanes URLs: pages, the admin, login, and the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("district.urls")),
    path("", include("roles.urls")),
    path("", include("goals.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("district.api.urls")),
    path("api/v1/", include("roles.api.urls")),
    path("api/v1/", include("goals.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

admin.site.site_header = "Lanes administration"
admin.site.site_title = "Lanes"
