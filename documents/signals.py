"""Keeping a document's own copy of its deadline in step with its work item's."""

from __future__ import annotations

from django.dispatch import receiver

from office.services.workitems import due_moved


@receiver(due_moved)
def _deadline_recounted(sender, item, old_due, new_due, **kwargs) -> None:
    """A provisional deadline counted again once its year was confirmed (office.services.
    calendar): the incoming document's handling deadline shows the new date."""
    from .models import Handling, HandlingRole, IncomingDocument

    lead = Handling.objects.filter(work_item=item, role=HandlingRole.LEAD).values("document_id")
    IncomingDocument.objects.filter(pk__in=lead, due_at=old_due).update(due_at=new_due)
