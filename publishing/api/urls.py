"""API routes of publishing, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("publications", views.PublicationViewSet, basename="publication")
router.register(
    "published-goals", views.PublishedGoalViewSet, basename="published-goal"
)
router.register(
    "published-metrics", views.PublishedMetricViewSet, basename="published-metric"
)
router.register("packets", views.PacketViewSet, basename="packet")
router.register("packet-schedules", views.ScheduleViewSet, basename="packet-schedule")

urlpatterns = router.urls
