from django.urls import path

from grassroots.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("export.<str:fmt>", views.export, name="export"),
    path("new/", views.intake, name="intake"),
    path("new/grid/", views.grid_report, name="grid-report"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/<str:name>/", views.act, name="act"),
    path("<str:number>/petitioners/<int:index>/reveal/", views.reveal_petitioner, name="reveal-petitioner"),
    path("<str:number>/notices/<str:kind>/", views.notice, name="notice"),
]
