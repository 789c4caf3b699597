from django.urls import path

from . import views

app_name = "district"

urlpatterns = [
    path("", views.home, name="home"),
    path("districts/<slug:slug>/members/", views.members, name="members"),
    path(
        "districts/<slug:slug>/members/<int:pk>/level/",
        views.member_level,
        name="member-level",
    ),
    path(
        "districts/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="member-remove",
    ),
]
