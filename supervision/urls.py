from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="index"),
    path("new/", views.task_new, name="task_new"),
    path("task/<int:pk>/", views.task_detail, name="task"),
    path("task/<int:pk>/assign/", views.task_assign, name="task_assign"),
    path("task/<int:pk>/acknowledge/", views.task_acknowledge, name="task_acknowledge"),
    path("task/<int:pk>/report/", views.task_report, name="task_report"),
    path("task/<int:pk>/extension/", views.extension_apply, name="extension_apply"),
    path("task/<int:pk>/complete/", views.completion_submit, name="completion_submit"),
    path("task/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("task/<int:pk>/urge/", views.task_urge, name="task_urge"),
    path("extension/<int:pk>/check/", views.extension_check, name="extension_check"),
    path("extension/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("completion/<int:pk>/review/", views.completion_review, name="completion_review"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("slip/<int:pk>.pdf", views.slip_pdf, name="slip_pdf"),
]
