from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Office")

    def ready(self) -> None:
        from . import (
            accountaudit,  # noqa: F401  (account, role and permission changes audited)
            checks,  # noqa: F401  (manage.py check: the calendar notice)
            signals,  # noqa: F401  (sign-in logging, calendar cache; no business logic)
        )
