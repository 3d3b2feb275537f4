from django.urls import path

from . import views, views_bulletins

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
    path("task/<int:pk>/return/", views.task_return_wrong, name="task_return_wrong"),
    path("task/<int:pk>/proposal/", views.proposal_record, name="proposal_record"),
    path("proposals/", views.proposals, name="proposals"),
    path("extension/<int:pk>/check/", views.extension_check, name="extension_check"),
    path("extension/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("completion/<int:pk>/review/", views.completion_review, name="completion_review"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("instruction/<int:pk>/supervise/", views.from_instruction, name="from_instruction"),
    path("slip/<int:pk>.pdf", views.slip_pdf, name="slip_pdf"),
    path("bulletins/", views_bulletins.bulletin_list, name="bulletins"),
    path("bulletins/draft/", views_bulletins.bulletin_draft, name="bulletin_draft"),
    path("bulletins/<int:pk>/", views_bulletins.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/edit/", views_bulletins.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>.pdf", views_bulletins.bulletin_pdf, name="bulletin_pdf"),
    path("bulletins/<int:pk>.xlsx", views_bulletins.bulletin_xlsx, name="bulletin_xlsx"),
]
