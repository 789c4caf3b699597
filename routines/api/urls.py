"""API routes of the routines app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register(
    "partnership-roles", views.PartnershipRoleViewSet, basename="partnership-role"
)
router.register(
    "theory-statements", views.TheoryStatementViewSet, basename="theory-statement"
)
router.register("theory-links", views.TheoryLinkViewSet, basename="theory-link")
router.register(
    "non-negotiables", views.NonNegotiableViewSet, basename="non-negotiable"
)
router.register("meeting-series", views.MeetingSeriesViewSet, basename="meeting-series")
router.register("series-members", views.SeriesMemberViewSet, basename="series-member")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register(
    "meeting-decisions", views.MeetingDecisionViewSet, basename="meeting-decision"
)
router.register("action-items", views.ActionItemViewSet, basename="action-item")

urlpatterns = router.urls
