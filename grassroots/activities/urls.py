from django.urls import path

from grassroots.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("calendar/", views.month_calendar, name="calendar"),
    path("export.<str:fmt>", views.export, name="export"),
    path("new/", views.record, name="record"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/hold/", views.hold, name="hold"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/file-case/", views.file_case, name="file-case"),
    path("<int:pk>/link-case/", views.link_case, name="link-case"),
    path("<int:pk>/book/", views.book, name="book"),
    path("<int:pk>/appointments/<int:appointment_id>/attend/", views.attend, name="attend"),
    path("<int:pk>/attachments/", views.upload, name="upload"),
    path("postings/<int:pk>/", views.posting, name="posting"),
    path("inbox/", views.inbox, name="inbox"),
]
