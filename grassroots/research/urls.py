from django.urls import path

from grassroots.research import views

app_name = "research"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("export/<str:what>.<str:fmt>", views.export, name="export"),
]
