"""Pages of publishing: the public dashboard (no login) and members' packet pages."""

from django.urls import path

from . import public_views, views

app_name = "publishing"

urlpatterns = [
    path(
        "public/<slug:slug>/",
        public_views.public_dashboard,
        name="public-dashboard",
    ),
    path(
        "public/<slug:slug>/metrics/<int:pk>/",
        public_views.public_metric,
        name="public-metric",
    ),
    path(
        "districts/<slug:slug>/publishing/",
        views.publication_settings,
        name="settings",
    ),
    path(
        "districts/<slug:slug>/packets/",
        views.packet_list,
        name="packets",
    ),
    path(
        "districts/<slug:slug>/packets/<int:pk>/",
        views.packet_detail,
        name="packet-detail",
    ),
    path(
        "districts/<slug:slug>/packets/<int:pk>/packet.pdf",
        views.packet_pdf,
        name="packet-pdf",
    ),
]
