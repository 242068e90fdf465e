from django.urls import path

from grassroots.triage import views

app_name = "triage"
urlpatterns = [
    path("suggest/", views.suggest_partial, name="suggest"),
    path("similar/", views.similar_partial, name="similar"),
    path("repeats/<str:number>/", views.repeats_partial, name="repeats"),
]
