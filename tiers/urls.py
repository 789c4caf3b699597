"""Pages of the tiers app, per district."""

from django.urls import path

from . import views

app_name = "tiers"

urlpatterns = [
    path("districts/<slug:slug>/tiers/", views.overview, name="overview"),
    path(
        "districts/<slug:slug>/tiers/rules/<int:pk>/",
        views.plan,
        name="plan",
    ),
    path(
        "districts/<slug:slug>/tiers/rules/<int:pk>/adopt/",
        views.plan_adopt,
        name="plan-adopt",
    ),
    path(
        "districts/<slug:slug>/tiers/tier-rules/<int:pk>/delete/",
        views.rule_delete,
        name="rule-delete",
    ),
    path("districts/<slug:slug>/schools/<int:pk>/", views.school, name="school"),
    path(
        "districts/<slug:slug>/tiers/networks/<int:pk>/",
        views.network,
        name="network",
    ),
    path(
        "districts/<slug:slug>/tiers/allocations/<int:pk>/delete/",
        views.allocation_delete,
        name="allocation-delete",
    ),
]
