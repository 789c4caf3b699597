"""API routes of the district app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("districts", views.DistrictViewSet, basename="district")
router.register("people", views.PersonViewSet, basename="person")
router.register("networks", views.NetworkViewSet, basename="network")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("school-groups", views.SchoolGroupViewSet, basename="school-group")
router.register(
    "school-group-members",
    views.SchoolGroupMemberViewSet,
    basename="school-group-member",
)
router.register("principals", views.PrincipalViewSet, basename="principal")
router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns = router.urls
