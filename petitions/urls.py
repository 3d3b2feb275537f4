from django.urls import path
from django.utils.translation import gettext_lazy as _

from office.views import module_placeholder

app_name = "petitions"

urlpatterns = [
    path(
        "",
        module_placeholder(
            _("Petitions"),
            _("Letters and visits: intake, acceptance, transfer, reply and review."),
        ),
        name="index",
    ),
]
