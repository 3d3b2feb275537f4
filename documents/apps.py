from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        """Work on these objects is this app's own (office.owners); the approval queue's count
        in the navigation (office.navigation); a recounted deadline kept in step (signals)."""
        from office.navigation import register_count
        from office.owners import register_owner

        from . import signals  # noqa: F401
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
        register_count("approval_count", _approval_queue)

        from office import typeset

        from .outgoing.typeset import FONT_SOURCE

        # The licensed fonts a deployment uploads (LicensedFont) serve every official document.
        typeset.register_font_source(FONT_SOURCE)


def _approval_queue(user, staff):
    """The approval queue's count in the navigation, for leaders only (None hides the link);
    the permission check reads the permissions loaded with the user (office.auth)."""
    if not user.has_perm("documents.instruct_incoming"):
        return None
    from .models import IncomingDocument

    return IncomingDocument.objects.awaiting(user)
