from rest_framework.routers import DefaultRouter

from grassroots.linkage.api import views

router = DefaultRouter(trailing_slash=True)
router.register("linkage-policies", views.PolicyViewSet, basename="linkage-policy")

urlpatterns = router.urls
