from django.urls import path

from . import views

app_name = "district"

urlpatterns = [
    path("", views.home, name="home"),
]
