from django.urls import path
from django.utils.translation import gettext_lazy as _

from office.views import module_placeholder

app_name = "meetings"

urlpatterns = [
    path(
        "",
        module_placeholder(
            _("Meetings"),
            _("Agenda items, notices, check-in, records and minutes."),
        ),
        name="index",
    ),
]
