from rest_framework.routers import DefaultRouter

from grassroots.cases.api import views

router = DefaultRouter(trailing_slash=True)
router.register("cases", views.CaseViewSet, basename="case")
router.register("categories", views.CategoryViewSet, basename="category")

urlpatterns = router.urls
