"""Keeping the petition's own copy of its deadline in step with its work item's."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from office.services.workitems import due_moved


@receiver(due_moved)
def _deadline_recounted(sender, item, old_due, new_due, **kwargs) -> None:
    """A provisional deadline counted again once its year was confirmed (office.services.
    calendar): the petition shows, exports and counts the new date. Runs in the transaction
    that moved the item; the statistics cells move with it (petitions.stats)."""
    from . import stats
    from .models import Petition

    if item.content_type_id != ContentType.objects.get_for_model(Petition).pk:
        return
    petition = Petition.objects.select_for_update().filter(pk=item.object_id).first()
    if petition is None:
        return
    before = stats.contribution(petition)
    fields = []
    if petition.due_at == old_due:
        petition.due_at = new_due
        fields.append("due_at")
    if petition.accept_due_at == old_due and petition.decided_at is None:
        petition.accept_due_at = new_due
        fields.append("accept_due_at")
    if petition.handle_due_at == old_due and petition.replied_at is None:
        petition.handle_due_at = new_due
        fields.append("handle_due_at")
    if fields:
        petition.save(update_fields=fields)
        stats.apply(before, stats.contribution(petition))
