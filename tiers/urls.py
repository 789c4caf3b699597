"""Pages of the tiers app, per district."""

from django.urls import path

from . import views

app_name = "tiers"

urlpatterns = [
    path("districts/<slug:slug>/tiers/", views.overview, name="overview"),
    path(
        "districts/<slug:slug>/tiers/rules/<str:school_year>/",
        views.plan,
        name="plan",
    ),
    path(
        "districts/<slug:slug>/tiers/rules/<str:school_year>/adopt/",
        views.plan_adopt,
        name="plan-adopt",
    ),
    path(
        "districts/<slug:slug>/tiers/rules/<str:school_year>/<int:pk>/delete/",
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
