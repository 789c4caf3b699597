"""API routes of the goals app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("goals", views.GoalViewSet, basename="goal")
router.register("goal-owners", views.GoalOwnerViewSet, basename="goal-owner")
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("metric-owners", views.MetricOwnerViewSet, basename="metric-owner")
router.register(
    "responsibility-links",
    views.ResponsibilityLinkViewSet,
    basename="responsibility-link",
)
router.register("targets", views.TargetViewSet, basename="target")
router.register("measurements", views.MeasurementViewSet, basename="measurement")
router.register("commentaries", views.CommentaryViewSet, basename="commentary")
router.register("closed-periods", views.ClosedPeriodViewSet, basename="closed-period")

# The dashboard is read under its district's address; the route name stays
# "district-dashboard".
district_router = SimpleRouter(trailing_slash=True)
district_router.register(
    "districts", views.DistrictDashboardViewSet, basename="district"
)

urlpatterns = router.urls + district_router.urls
