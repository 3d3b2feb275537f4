from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from office.models import WorkAction, WorkKind
        from office.sweep import quiet

        # The units' handling of a supervised task is chased by the 三色督查单 (supervision.chase,
        # DOMAIN.md §5.3): the spine's generic "due soon / overdue / escalated" notices would
        # repeat each slip. Progress reports and a co-handler's view keep the spine's reminders
        # (no slip covers them).
        quiet(WorkKind.SUPERVISION, WorkAction.HANDLE)

        from django.utils.translation import gettext_lazy as _

        from office.owners import register_owner

        from .models import SupervisionTask

        # Work on a task is the task's own (office.owners): done through its transitions.
        register_owner(
            SupervisionTask,
            visible=lambda user: SupervisionTask.objects.visible_to(user),
            label=_("Open the task to act on it"),
        )
