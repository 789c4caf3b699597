"""Pages of the goals app, per district."""

from django.urls import path

from district.models import Network
from district.views import object_history
from roles.models import Role

from . import entry_views, target_views, views
from .models import Goal, Metric

app_name = "goals"

urlpatterns = [
    path(
        "districts/<slug:slug>/dashboard/",
        views.dashboard,
        name="dashboard",
    ),
    path(
        "districts/<slug:slug>/metrics/<int:pk>/",
        views.metric_detail,
        name="metric-detail",
    ),
    path(
        "districts/<slug:slug>/metrics/<int:pk>/networks/<int:network_pk>/",
        views.metric_detail,
        name="metric-network",
    ),
    path(
        "districts/<slug:slug>/metrics/<int:pk>/entry/",
        entry_views.measurement_entry,
        name="measurement-entry",
    ),
    path(
        "districts/<slug:slug>/metrics/<int:pk>/targets/",
        target_views.target_list,
        name="metric-targets",
    ),
    path(
        "districts/<slug:slug>/metrics/<int:pk>/targets/<int:target_pk>/delete/",
        target_views.target_delete,
        name="target-delete",
    ),
    path(
        "districts/<slug:slug>/measurements/import/",
        entry_views.measurement_import,
        name="measurement-import",
    ),
    path(
        "districts/<slug:slug>/networks/<int:pk>/",
        views.network_scorecard,
        name="network-scorecard",
    ),
    path(
        "districts/<slug:slug>/networks/<int:pk>/trends/",
        views.network_trends,
        name="network-trends",
    ),
    path(
        "districts/<slug:slug>/measurements.csv",
        views.measurements_csv,
        name="measurements-csv",
    ),
    path(
        "districts/<slug:slug>/roles/<int:pk>/",
        views.role_scorecard,
        name="role-scorecard",
    ),
    path(
        "districts/<slug:slug>/values/history/",
        views.value_history_page,
        name="value-history",
    ),
    # Each object's history, readable after it is deleted too.
    path(
        "districts/<slug:slug>/metrics/<int:pk>/history/",
        object_history,
        {"model": Metric},
        name="metric-history",
    ),
    path(
        "districts/<slug:slug>/goals/<int:pk>/history/",
        object_history,
        {"model": Goal},
        name="goal-history",
    ),
    path(
        "districts/<slug:slug>/networks/<int:pk>/history/",
        object_history,
        {"model": Network},
        name="network-history",
    ),
    path(
        "districts/<slug:slug>/roles/<int:pk>/history/",
        object_history,
        {"model": Role},
        name="role-history",
    ),
]
