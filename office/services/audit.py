"""Writing the audit trail (留痕). One function; every service calls it inside its transaction."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from ..models import AuditChainHead, AuditEntry, AuditOutcome
from ..people import display_name

GENESIS = "0" * 64


def _address(request) -> str | None:
    from office.client import client_address

    return client_address(request, default="") or None


def audit_record(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    from_state: str = "",
    to_state: str = "",
    changes: dict | None = None,
    comment: str = "",
    request=None,
    address: str | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry to the chain.

    Locks the chain head for the rest of the caller's transaction: audited writes are serialised
    (a few milliseconds each), which is what keeps the chain a single line.
    """
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a database without the migration's row (e.g. flushed in tests)
            head, _ = AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:300]
        actor_name = ""
        if actor is not None and getattr(actor, "is_authenticated", False):
            full = display_name(actor)
            username = actor.get_username()
            actor_name = f"{full}（{username}）" if full != username else username
        else:
            actor = None
        entry = AuditEntry(
            at=now or timezone.now(),
            actor=actor,
            actor_name=actor_name[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_repr=object_repr[:300],
            from_state=str(from_state)[:40],
            to_state=str(to_state)[:40],
            changes=changes or {},
            comment=comment,
            address=address or _address(request),
            outcome=outcome,
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    return entry


@dataclass
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Walk the chain in order; yield the first place where it does not hold (if any).

    The first remaining entry is the anchor (entries older than the retention period may have
    been purged); from there every entry must hash to its own `hash` and name its predecessor's.
    """
    previous_hash = None
    last_pk = 0
    while True:
        batch = list(AuditEntry.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if previous_hash is not None and entry.prev_hash != previous_hash:
                yield ChainBreak(entry.pk, "previous hash does not match the entry before it")
                return
            if not hmac.compare_digest(entry.compute_hash(), entry.hash):
                yield ChainBreak(
                    entry.pk, "content does not match its keyed link (changed, or not our key)"
                )
                return
            previous_hash = entry.hash
            last_pk = entry.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if previous_hash is not None and head is not None and head.last_hash != previous_hash:
        yield ChainBreak(last_pk, "the last entry is not the chain's head (entries removed)")
        return
    # The anchors written outside the database (office.auditchain): a chain rewritten or cut
    # short even with the key no longer matches what they recorded.
    from ..auditchain import check_anchors, read_anchors

    for entry_id, reason in check_anchors(read_anchors()):
        yield ChainBreak(entry_id, reason)
        return
