from django.urls import path
from django.utils.translation import gettext_lazy as _

from office.views import module_placeholder

app_name = "supervision"

urlpatterns = [
    path(
        "",
        module_placeholder(
            _("Supervision"),
            _("Supervised tasks, progress reports, chase slips and bulletins."),
        ),
        name="index",
    ),
]
