from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.charter, name="charter"),
    path("guides/", views.guide_list, name="guides"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide"),
    path("guides/<slug:slug>/rate/", views.rate_guide, name="rate_guide"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/<int:pk>.pdf", views.policy_pdf, name="policy_pdf"),
    path("staff/", views.directory, name="directory"),
    path("staff/<str:badge>/", views.person, name="person"),
    path("staff/<str:badge>/photo/", views.photo, name="photo"),
    path("staff/<str:badge>/rate/", views.rate_staff, name="rate_staff"),
    path("display/", views.display, name="display"),
]
