"""Template helpers of the supervision pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def light_badge(light: str | None) -> str:
    """The traffic light as `supervision/_light.html` draws it, in one call: the board draws
    one per row (an include per row costs more than the rest of the row)."""
    labels = {"red": _("Overdue or behind"), "yellow": _("Due soon"), "green": _("On track")}
    if light in labels:
        return format_html('<span class="light light-{}">{}</span>', light, labels[light])
    return mark_safe('<span class="light light-none">—</span>')


@register.inclusion_tag("supervision/_document_panel.html", takes_context=True)
def supervision_panel(context, document, instructions):
    """On an incoming document's page: the supervised tasks opened from it (with their state),
    and — for a person who may open tasks — one button per instruction to supervise it."""
    from supervision.models import OPEN_STATES, SupervisionTask
    from supervision.services import can_open

    request = context.get("request")
    user = getattr(request, "user", None)
    # Only the tasks this person may see (S-11): a derived view never shows a hidden one.
    tasks = list(
        SupervisionTask.objects.for_source(document).visible_to(user).order_by("pk")
        if user is not None
        else []
    )
    may_open = (
        user is not None
        and can_open(user)
        and not any(t.state in OPEN_STATES for t in tasks)
        and document.state not in ("returned", "archived")
    )
    return {
        "tasks": tasks,
        "instructions": instructions if may_open else [],
        "csrf_token": context.get("csrf_token"),
        "document": document,
    }
