from django.urls import path
from rest_framework.routers import DefaultRouter

from grassroots.cases.api import views

router = DefaultRouter(trailing_slash=True)
router.register("cases", views.CaseViewSet, basename="case")
router.register("categories", views.CategoryViewSet, basename="category")

urlpatterns = [
    path("receipts/<str:token>/", views.ReceiptView.as_view(), name="receipt-detail"),
    *router.urls,
]
