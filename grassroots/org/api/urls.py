from rest_framework.routers import DefaultRouter

from grassroots.org.api import views

router = DefaultRouter(trailing_slash=True)
router.register("units", views.UnitViewSet, basename="unit")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("people", views.PersonViewSet, basename="person")

urlpatterns = router.urls
