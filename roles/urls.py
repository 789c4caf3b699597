"""Pages of the ownership matrix, per district: /districts/<slug>/matrix/..."""

from django.urls import path

from . import responsibility_views, views

app_name = "roles"

urlpatterns = [
    path("districts/<slug:slug>/matrix/", views.matrix, name="matrix"),
    path(
        "districts/<slug:slug>/matrix/export.csv",
        views.export_csv,
        name="matrix-csv",
    ),
    path(
        "districts/<slug:slug>/matrix/export.xlsx",
        views.export_xlsx,
        name="matrix-xlsx",
    ),
    path("districts/<slug:slug>/matrix/changes/", views.changes, name="matrix-changes"),
    path(
        "districts/<slug:slug>/matrix/rows/",
        responsibility_views.responsibility_add,
        name="responsibility-add",
    ),
    path(
        "districts/<slug:slug>/matrix/rows/<int:pk>/edit/",
        responsibility_views.responsibility_edit,
        name="responsibility-edit",
    ),
    path(
        "districts/<slug:slug>/matrix/rows/<int:pk>/move/",
        responsibility_views.responsibility_move,
        name="responsibility-move",
    ),
    path(
        "districts/<slug:slug>/matrix/rows/<int:pk>/history/",
        views.responsibility_history,
        name="responsibility-history",
    ),
    path(
        "districts/<slug:slug>/matrix/rows/<int:pk>/cells/",
        views.row_levels_set,
        name="row-levels-set",
    ),
    path(
        "districts/<slug:slug>/matrix/rows/<int:pk>/cells/<int:role_pk>/",
        views.ownership_set,
        name="ownership-set",
    ),
]
