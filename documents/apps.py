from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        """Work on these objects is this app's own (office.owners)."""
        from django.utils.translation import gettext_lazy as _

        from office.owners import register_owner

        from .models import IncomingDocument, OutgoingDocument

        register_owner(
            IncomingDocument,
            visible=lambda user: IncomingDocument.objects.visible_to(user),
            label=_("Open the document to act on it"),
        )
        register_owner(
            OutgoingDocument,
            visible=lambda user: OutgoingDocument.objects.visible_to(user),
            label=_("Open the document to act on it"),
        )
