from django.urls import path

from grassroots.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_tree, name="unit-tree"),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
    path("units/<str:code>/children/", views.unit_children, name="unit-children"),
    path("units/<str:code>/export/<str:what>.<str:fmt>", views.export, name="export"),
    path("people/<str:code>/", views.person_detail, name="person-detail"),
    path("people/<str:code>/reveal-phone/", views.reveal_phone, name="reveal-phone"),
]
