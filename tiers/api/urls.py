"""API routes of the tiers app, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("tiers", views.TierViewSet, basename="tier")
router.register("tier-plans", views.TierPlanViewSet, basename="tier-plan")
router.register("tier-rules", views.TierRuleViewSet, basename="tier-rule")
router.register(
    "tier-assignments", views.TierAssignmentViewSet, basename="tier-assignment"
)
router.register("supports", views.SupportViewSet, basename="support")
router.register("allocations", views.AllocationViewSet, basename="allocation")

urlpatterns = router.urls
