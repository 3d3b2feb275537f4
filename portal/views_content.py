"""The system admin's editor for what the public reads: the charter texts and the service
guides (see portal/admin.py for why this is not the Django admin). Saves go through
`services.content_save`, one audit entry each; nothing is ever deleted, only unpublished."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import PublicTextForm, ServiceGuideForm
from .models import PublicText, ServiceGuide

KINDS = {
    "text": (PublicText, PublicTextForm),
    "guide": (ServiceGuide, ServiceGuideForm),
}


@login_required
@permission_required("portal.view_serviceguide", raise_exception=True)
def content_list(request):
    return render(
        request,
        "portal/staff/content_list.html",
        {
            "texts": PublicText.objects.all(),
            "guides": ServiceGuide.objects.select_related("section"),
        },
    )


def _edit(request, kind: str, pk: int | None):
    model, form_class = KINDS[kind]
    instance = get_object_or_404(model, pk=pk) if pk is not None else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.content_save(form=form, by=request.user)
        messages.success(request, _("Saved."))
        return redirect("portal_staff:content")
    return render(
        request, "portal/staff/content_edit.html", {"form": form, "kind": kind, "obj": instance}
    )


@login_required
@permission_required("portal.add_serviceguide", raise_exception=True)
def guide_new(request):
    return _edit(request, "guide", None)


@login_required
@permission_required("portal.change_serviceguide", raise_exception=True)
def guide_edit(request, pk: int):
    return _edit(request, "guide", pk)


@login_required
@permission_required("portal.add_publictext", raise_exception=True)
def text_new(request):
    return _edit(request, "text", None)


@login_required
@permission_required("portal.change_publictext", raise_exception=True)
def text_edit(request, pk: int):
    return _edit(request, "text", pk)
