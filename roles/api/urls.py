"""API routes of the roles app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("roles", views.RoleViewSet, basename="role")
router.register(
    "role-assignments", views.RoleAssignmentViewSet, basename="role-assignment"
)
router.register("work-areas", views.WorkAreaViewSet, basename="work-area")
router.register(
    "responsibilities", views.ResponsibilityViewSet, basename="responsibility"
)
router.register("ownerships", views.OwnershipViewSet, basename="ownership")

# The matrix is read under its district's address; the route name stays
# "district-matrix".
district_router = SimpleRouter(trailing_slash=True)
district_router.register("districts", views.DistrictMatrixViewSet, basename="district")

urlpatterns = router.urls + district_router.urls
