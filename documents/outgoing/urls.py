from django.urls import path

from . import views

urlpatterns = [
    path("outgoing/", views.outgoing_list, name="outgoing_list"),
    path("outgoing/new/", views.outgoing_new, name="outgoing_new"),
    path("outgoing/<int:pk>/", views.outgoing_detail, name="outgoing"),
    path("outgoing/<int:pk>/edit/", views.outgoing_edit, name="outgoing_edit"),
    path("outgoing/<int:pk>/submit/", views.outgoing_submit, name="outgoing_submit"),
    path("outgoing/<int:pk>/review/", views.outgoing_review, name="outgoing_review"),
    path("outgoing/<int:pk>/cosign/", views.outgoing_cosign, name="outgoing_cosign"),
    path("outgoing/<int:pk>/legal/", views.outgoing_legal, name="outgoing_legal"),
    path("outgoing/<int:pk>/sign/", views.outgoing_sign, name="outgoing_sign"),
    path("outgoing/<int:pk>/register/", views.outgoing_register, name="outgoing_register"),
    path("outgoing/<int:pk>/void/", views.outgoing_void, name="outgoing_void"),
    path("outgoing/<int:pk>/dispatch/", views.outgoing_dispatch, name="outgoing_dispatch"),
    path("outgoing/<int:pk>/archive/", views.outgoing_archive, name="outgoing_archive"),
    path("outgoing/<int:pk>/filing/", views.outgoing_filing, name="outgoing_filing"),
    path("outgoing/<int:pk>/translate/", views.outgoing_translate, name="outgoing_translate"),
    path("translation/<int:pk>/submit/", views.translation_submit, name="translation_submit"),
    path("outgoing/normative/", views.normative_register, name="normative_register"),
    path("archive/catalogue/", views.archive_catalogue, name="archive_catalogue"),
    path("outgoing/<int:pk>/document.pdf", views.outgoing_pdf, name="outgoing_pdf"),
    path("outgoing/<int:pk>/document.ofd", views.outgoing_ofd, name="outgoing_ofd"),
    path("outgoing/<int:pk>/files/", views.outgoing_attach, name="outgoing_attach"),
    path(
        "outgoing/<int:pk>/files/<int:file_pk>/remove/",
        views.outgoing_detach,
        name="outgoing_detach",
    ),
    path("outgoing/<int:pk>/files/<int:file_pk>/", views.outgoing_file, name="outgoing_file"),
]
