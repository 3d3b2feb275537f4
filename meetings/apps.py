from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        """Work on these objects is this app's own (office.owners)."""
        from django.utils.translation import gettext_lazy as _

        from office.owners import register_owner

        from .models import AgendaItem, Meeting, Minutes

        register_owner(
            AgendaItem,
            visible=lambda user: AgendaItem.objects.filter(
                meeting__in=Meeting.objects.visible_to(user)
            ),
            label=_("Open the meeting to act on it"),
        )
        register_owner(
            Minutes,
            visible=lambda user: Minutes.objects.filter(
                meeting__in=Meeting.objects.visible_to(user)
            ),
            label=_("Open the meeting to act on it"),
        )
