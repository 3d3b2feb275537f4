from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        """Work on these objects is this app's own (office.owners)."""
        from django.utils.translation import gettext_lazy as _

        from office.owners import register_owner

        from .models import DisclosureRequest

        # A disclosure request is answered on its own page (the answer is the transition);
        # a desk promise (首问, Inquiry) stays free-standing and keeps the generic actions.
        register_owner(
            DisclosureRequest,
            visible=lambda user: DisclosureRequest.objects.visible_to(user),
            label=_("Open the request to answer it"),
        )
