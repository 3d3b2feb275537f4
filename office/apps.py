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
        from .navigation import register_count

        register_count("open_count", _open_work)
        register_count("unread_count", _unread_notifications)


def _open_work(user, staff):
    """待办: the parts of `WorkItemQuerySet.waiting_for`, each counted on its partial index."""
    from .models import WorkItem
    from .models.workitems import waiting_for_parts

    return [WorkItem.objects.open().filter(part) for part in waiting_for_parts(user, staff)]


def _unread_notifications(user, staff):
    from .models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True)
