from django.urls import path

from . import views, views_files
from .outgoing import urls as outgoing_urls

app_name = "documents"

urlpatterns = [
    path("", views.incoming_list, name="index"),
    path("incoming/export.xlsx", views.incoming_export, name="incoming_export"),
    path("incoming/new/", views.incoming_register, name="incoming_register"),
    path("queue/", views.approval_queue, name="queue"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming"),
    path("incoming/<int:pk>/screen/", views.incoming_screen, name="incoming_screen"),
    path("incoming/<int:pk>/present/", views.incoming_present, name="incoming_present"),
    path("incoming/<int:pk>/circulate/", views.incoming_circulate, name="incoming_circulate"),
    path("incoming/<int:pk>/instruct/", views.incoming_instruct, name="incoming_instruct"),
    path("incoming/<int:pk>/read/", views.incoming_read, name="incoming_read"),
    path("incoming/<int:pk>/confirm/", views.incoming_confirm, name="incoming_confirm"),
    path("incoming/<int:pk>/archive/", views.incoming_archive, name="incoming_archive"),
    path("incoming/<int:pk>/attach/", views.incoming_attach, name="incoming_attach"),
    path("handling/<int:pk>/note/", views.handling_note, name="handling_note"),
    path("handling/<int:pk>/complete/", views.handling_complete, name="handling_complete"),
    path("handling/<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("extension/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("incoming/<int:pk>/slip.pdf", views_files.processing_slip, name="incoming_slip"),
    path("incoming/<int:pk>/return-slip.pdf", views_files.return_slip, name="return_slip"),
    path("attachment/<int:pk>/", views_files.attachment_download, name="attachment"),
    path("attachment/<int:pk>/view/", views_files.attachment_inline, name="attachment_inline"),
    *outgoing_urls.urlpatterns,
]
