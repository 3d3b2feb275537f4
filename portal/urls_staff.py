"""Staff pages of the portal, under /service/ (sign-in required)."""

from django.urls import path

from . import views_content
from . import views_staff as views

app_name = "portal_staff"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/new/", views.desk_new, name="desk_new"),
    path("desk/<int:pk>/", views.desk_detail, name="desk_detail"),
    path("desk/<int:pk>/receipt.pdf", views.desk_receipt, name="desk_receipt"),
    path("disclosure/", views.disclosure_list, name="disclosure_list"),
    path("disclosure/<int:pk>/", views.disclosure_detail, name="disclosure"),
    path("disclosure/<int:pk>/answer/", views.disclosure_answer, name="disclosure_answer"),
    path("disclosure/<int:pk>/extend/", views.disclosure_extend, name="disclosure_extend"),
    path("presence/", views.presence, name="presence"),
    path("presence/<int:pk>/", views.presence_set, name="presence_set"),
    path("evaluations/", views.moderation, name="moderation"),
    path("evaluations/<int:pk>/", views.moderate, name="moderate"),
    path("evaluations/results/", views.results, name="results"),
    path("content/", views_content.content_list, name="content"),
    path("content/texts/new/", views_content.text_new, name="text_new"),
    path("content/texts/<int:pk>/", views_content.text_edit, name="text_edit"),
    path("content/guides/new/", views_content.guide_new, name="guide_new"),
    path("content/guides/<int:pk>/", views_content.guide_edit, name="guide_edit"),
]
