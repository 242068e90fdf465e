from rest_framework.routers import DefaultRouter

from grassroots.research.api import views

router = DefaultRouter(trailing_slash=True)
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("research-plans", views.ResearchPlanViewSet, basename="research-plan")
router.register("key-projects", views.KeyProjectViewSet, basename="key-project")
router.register("service-items", views.ServiceItemViewSet, basename="service-item")

urlpatterns = router.urls
