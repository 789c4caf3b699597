"""API routes of the goals app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("goals", views.GoalViewSet, basename="goal")
router.register("goal-owners", views.GoalOwnerViewSet, basename="goal-owner")
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("metric-owners", views.MetricOwnerViewSet, basename="metric-owner")
router.register("targets", views.TargetViewSet, basename="target")
router.register("measurements", views.MeasurementViewSet, basename="measurement")

urlpatterns = router.urls
