"""API routes of the user's tokens, included under /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("tokens", views.ApiTokenViewSet, basename="token")

urlpatterns = router.urls
