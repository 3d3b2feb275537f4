"""Who may open what: every page finds its document through `IncomingDocument.objects.visible_to`,
so a document the person may not see is a 404 and its existence does not leak (ARCHITECTURE.md,
"Who may see what"); what they may see but not change is a 403 from the service."""

from __future__ import annotations

from django.http import Http404

from ..models import ExtensionRequest, Handling, IncomingDocument


def _visible(request):
    return IncomingDocument.objects.visible_to(request.user)


def _get_document_for_user(request, pk: int) -> IncomingDocument:
    """404 for a document the person may not see, so its existence does not leak."""
    document = (
        _visible(request)
        .filter(pk=pk)
        .select_related(
            "sender",
            "registered_by",
            "screened_by",
            "presented_to",
            "lead_section",
            "lead_unit",
            "completed_by",
            "archived_by",
        )
        .first()
    )
    if document is None:
        raise Http404
    return document


def _get_handling_for_user(request, pk: int) -> Handling:
    handling = (
        Handling.objects.filter(pk=pk, document__in=_visible(request))
        .select_related("document", "instruction", "section", "unit")
        .first()
    )
    if handling is None:
        raise Http404
    return handling


def _get_extension_for_user(request, pk: int) -> ExtensionRequest:
    extension = (
        ExtensionRequest.objects.filter(pk=pk, handling__document__in=_visible(request))
        .select_related("handling__document", "handling__instruction")
        .first()
    )
    if extension is None:
        raise Http404
    return extension
