from django.urls import path

from grassroots.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.report, name="report"),
    path("<int:pk>/proposal/", views.proposal, name="proposal"),
    path("<int:pk>/export/", views.export, name="export"),
    path("package-leaders/", views.package_leaders, name="package-leaders"),
]
