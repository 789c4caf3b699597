"""Pages of the update rhythm, per district, and the reminder preferences link."""

from django.urls import path

from . import views

app_name = "rhythm"

urlpatterns = [
    path("districts/<slug:slug>/my-updates/", views.my_updates, name="my-updates"),
    path(
        "districts/<slug:slug>/metrics/<int:pk>/commentary/<str:period_end>/",
        views.commentary,
        name="commentary",
    ),
    path("districts/<slug:slug>/completion/", views.completion, name="completion"),
    path("districts/<slug:slug>/reminders/", views.outbox, name="outbox"),
    path(
        "reminders/preferences/<str:token>/",
        views.preferences,
        name="preferences",
    ),
]
