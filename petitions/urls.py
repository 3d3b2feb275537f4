from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="index"),
    path("new/", views.petition_register, name="register"),
    path("statistics/", views.petition_stats, name="stats"),
    path("ledger.xlsx", views.petition_ledger, name="ledger"),
    path("ledger/<int:pk>/", views.ledger_status, name="ledger_status"),
    path("ledger/<int:pk>/download/", views.ledger_download, name="ledger_download"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/decide/", views.petition_decide, name="decide"),
    path("<int:pk>/assign/", views.petition_assign, name="assign"),
    path("<int:pk>/extend/", views.petition_extend, name="extend"),
    path("<int:pk>/reply/", views.petition_reply, name="reply"),
    path("<int:pk>/rate/", views.petition_rate, name="rate"),
    path("<int:pk>/review/", views.review_apply, name="review_apply"),
    path("<int:pk>/review/decide/", views.review_decide, name="review_decide"),
    path("<int:pk>/review/hearing/", views.review_hearing, name="review_hearing"),
    path("assignment/<int:pk>/report/", views.assignment_report, name="report"),
    path("notice/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment"),
    path("notice/<int:pk>/deliver/", views.notice_deliver, name="notice_deliver"),
    path("petitioner/<int:pk>/reveal/", views.petitioner_reveal, name="reveal"),
]
