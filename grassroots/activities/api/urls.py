from rest_framework.routers import DefaultRouter

from grassroots.activities.api import views

router = DefaultRouter(trailing_slash=True)
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("appointments", views.AppointmentViewSet, basename="appointment")

urlpatterns = router.urls
