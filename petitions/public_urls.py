"""The public petition pages, under /public/petitions/ (no sign-in)."""

from django.urls import path

from . import public_views

app_name = "petitions_public"

urlpatterns = [
    path("", public_views.submit, name="submit"),
    path("submitted/", public_views.submitted, name="submitted"),
    path("lookup/", public_views.lookup, name="lookup"),
    path("lookup/rate/", public_views.rate, name="rate"),
]
