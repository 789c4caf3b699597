"""Pages of two-key decisions, per district: /districts/<slug>/decisions/..."""

from django.urls import path

from . import views

app_name = "decisions"

urlpatterns = [
    path("districts/<slug:slug>/decisions/", views.decision_list, name="list"),
    path("districts/<slug:slug>/decisions/new/", views.decision_new, name="new"),
    path("districts/<slug:slug>/decisions/open/", views.open_list, name="open"),
    path("districts/<slug:slug>/decisions/register/", views.register, name="register"),
    path(
        "districts/<slug:slug>/decisions/register.csv",
        views.register_csv,
        name="register-csv",
    ),
    path(
        "districts/<slug:slug>/decisions/settings/",
        views.policy_edit,
        name="settings",
    ),
    path(
        "districts/<slug:slug>/decisions/<int:pk>/",
        views.decision_detail,
        name="detail",
    ),
    path(
        "districts/<slug:slug>/decisions/<int:pk>/edit/",
        views.decision_edit,
        name="edit",
    ),
    path(
        "districts/<slug:slug>/decisions/<int:pk>/submit/",
        views.decision_submit,
        name="submit",
    ),
    path(
        "districts/<slug:slug>/decisions/<int:pk>/withdraw/",
        views.decision_withdraw,
        name="withdraw",
    ),
    path(
        "districts/<slug:slug>/decisions/<int:pk>/reopen/",
        views.decision_reopen,
        name="reopen",
    ),
    path(
        "districts/<slug:slug>/decisions/reviews/<int:pk>/",
        views.review_record,
        name="review",
    ),
    path(
        "public/<slug:slug>/approved-tools/",
        views.public_register,
        name="public-register",
    ),
]
