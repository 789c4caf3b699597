"""Pages of the routines app, per district, and the signed calendar feeds."""

from django.urls import path

from district.views import object_history

from . import views
from .models import Partnership

app_name = "routines"

urlpatterns = [
    path(
        "districts/<slug:slug>/partnerships/",
        views.partnership_list,
        name="partnership-list",
    ),
    path(
        "districts/<slug:slug>/partnerships/<int:pk>/",
        views.partnership_detail,
        name="partnership-detail",
    ),
    path(
        "districts/<slug:slug>/partnerships/<int:pk>/history/",
        object_history,
        {"model": Partnership},
        name="partnership-history",
    ),
    path("districts/<slug:slug>/meetings/", views.series_list, name="series-list"),
    path(
        "districts/<slug:slug>/meetings/series/<int:pk>/",
        views.series_detail,
        name="series-detail",
    ),
    path(
        "districts/<slug:slug>/meetings/series/<int:pk>/schedule/",
        views.series_schedule,
        name="series-schedule",
    ),
    path(
        "districts/<slug:slug>/meetings/<int:pk>/",
        views.meeting_detail,
        name="meeting-detail",
    ),
    path(
        "districts/<slug:slug>/meetings/<int:pk>/start/",
        views.meeting_start,
        name="meeting-start",
    ),
    path(
        "districts/<slug:slug>/meetings/<int:pk>/notes/",
        views.meeting_notes,
        name="meeting-notes",
    ),
    path(
        "districts/<slug:slug>/meetings/<int:pk>/decisions/",
        views.meeting_decision,
        name="meeting-decision",
    ),
    path(
        "districts/<slug:slug>/meetings/<int:pk>/action-items/",
        views.meeting_action_item,
        name="meeting-action-item",
    ),
    path(
        "districts/<slug:slug>/meeting-decisions/<int:pk>/take/",
        views.decision_take,
        name="decision-take",
    ),
    path(
        "districts/<slug:slug>/action-items/<int:pk>/done/",
        views.action_item_done,
        name="action-item-done",
    ),
    path(
        "districts/<slug:slug>/networks/<int:pk>/coaching/",
        views.coaching_pack,
        name="coaching-pack",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
