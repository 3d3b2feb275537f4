from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from office import typeset

        from .outgoing.typeset import FONT_SOURCE

        # The licensed fonts a deployment uploads (LicensedFont) serve every official document.
        typeset.register_font_source(FONT_SOURCE)
