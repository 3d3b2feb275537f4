from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="index"),
    path("task/<int:pk>/", views.task_detail, name="task"),
    path("slip/<int:pk>.pdf", views.slip_pdf, name="slip_pdf"),
]
