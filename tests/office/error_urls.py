"""URLs for tests/office/test_errors.py: views that fail the way production fails."""

from django.db import InterfaceError, OperationalError
from django.urls import include, path


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: refused")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise ZeroDivisionError("a plain bug")


urlpatterns = [
    path("database-gone/", database_gone),
    path("connection-closed/", connection_closed),
    path("bug/", bug),
    path("", include("office.urls")),
]

handler500 = "office.views.error_500"
