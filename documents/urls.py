from django.urls import path
from django.utils.translation import gettext_lazy as _

from office.views import module_placeholder

app_name = "documents"

urlpatterns = [
    path(
        "",
        module_placeholder(
            _("Documents"),
            _("Incoming and outgoing documents, the approval queue and the archive."),
        ),
        name="index",
    ),
]
