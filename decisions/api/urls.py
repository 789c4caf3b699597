"""API routes of two-key decisions, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register(
    "decision-policies", views.DecisionPolicyViewSet, basename="decision-policy"
)
router.register("decision-kinds", views.DecisionKindViewSet, basename="decision-kind")
router.register(
    "checklist-items", views.ChecklistItemViewSet, basename="checklist-item"
)
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("decision-reviews", views.ReviewViewSet, basename="decision-review")
router.register(
    "decision-transitions", views.TransitionViewSet, basename="decision-transition"
)

# The register and the open decisions are read under their district's address.
district_router = SimpleRouter(trailing_slash=True)
district_router.register(
    "districts", views.DistrictDecisionsViewSet, basename="district"
)

urlpatterns = router.urls + district_router.urls
