"""API routes of the update rhythm, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

# Under the district's address; the route names are "district-my-updates" and
# "district-completion".
district_router = SimpleRouter(trailing_slash=True)
district_router.register("districts", views.DistrictRhythmViewSet, basename="district")

urlpatterns = district_router.urls
