from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        """Work on these objects is this app's own (office.owners); a recounted deadline kept in
        step (signals)."""
        from office.outbox import register_secret
        from office.owners import register_owner

        from . import signals  # noqa: F401
        from .models import Petition
        from .services import query_code_secret

        register_secret("petitions.query_code", query_code_secret)

        register_owner(
            Petition,
            visible=lambda user: Petition.objects.visible_to(user),
            label=_("Open the petition to act on it"),
        )
