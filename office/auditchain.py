"""The audit chain's key and anchors (等保 2.0 8.1.4.3 c: audit records protected against
deletion, change and forgery; GB/T 39786-2021: HMAC-SM3 for integrity; issue 15, finding 3).

* Each entry's link is HMAC-SM3 over its content and the previous link, under AUDIT_CHAIN_KEY —
  a key that is not in the database. The database's owner can switch off the append-only
  trigger and edit a row, but cannot recompute the chain so that ``verify_audit`` passes.
* Once a day (Celery beat, ``office.tasks.audit_anchor``) the head of the chain — its last
  entry's id and link, and the number of entries — is appended to a log file outside the
  database (AUDIT_ANCHOR_PATH, ideally on write-once storage or shipped to a log host) and sent
  to the audit admins. A chain rewritten or cut short by someone who *does* hold the key no
  longer matches the anchors written before, and ``verify_audit`` says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_LABEL = b"zhengban audit chain v2"


def chain_key() -> bytes:
    key = settings.AUDIT_CHAIN_KEY
    if not key:
        raise ImproperlyConfigured(
            "AUDIT_CHAIN_KEY (or AUDIT_CHAIN_KEY_FILE) must be set: it keys the audit chain."
        )
    return key.encode("utf-8") if isinstance(key, str) else key


def content_of(entry) -> bytes:
    """The canonical bytes of one entry (any object with the AuditEntry fields, so a historical
    model in a migration works too)."""
    content = {
        # In UTC: the database hands times back in UTC, whatever offset they were written with.
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "from": entry.from_state,
        "to": entry.to_state,
        "changes": entry.changes,
        "comment": entry.comment,
        "address": entry.address,
        "outcome": entry.outcome,
        "prev": entry.prev_hash,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def keyed_link(entry, key: bytes | None = None) -> str:
    """HMAC-SM3 (GB/T 32905, OpenSSL's through `cryptography`) of the entry under the key."""
    mac = crypto_hmac.HMAC(_LABEL + b"\0" + (key or chain_key()), hashes.SM3())
    mac.update(content_of(entry))
    return mac.finalize().hex()


def legacy_link(entry) -> str:
    """The unkeyed SHA-256 link of the chain before issue 15 (read only by ``relink``)."""
    return hashlib.sha256(content_of(entry)).hexdigest()


# --- Anchors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    at: str
    first_id: int
    last_id: int
    count: int
    head: str


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    path = path or anchor_path()
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            anchors.append(
                Anchor(data["at"], data["first_id"], data["last_id"], data["count"], data["head"])
            )
    return anchors


def write_anchor(*, now: dt.datetime | None = None, notify_admins: bool = True) -> Anchor | None:
    """Append the chain's head to the anchor log (and tell the audit admins). One line per
    call, written with O_APPEND and fsync'd; nothing is ever rewritten."""
    from django.db.models import Count, Max, Min
    from django.utils import timezone

    from .models import AuditEntry

    now = now or timezone.now()
    agg = AuditEntry.objects.aggregate(first=Min("pk"), last=Max("pk"), n=Count("pk"))
    if not agg["n"]:
        return None
    last = AuditEntry.objects.only("hash").get(pk=agg["last"])
    anchor = Anchor(now.isoformat(), agg["first"], agg["last"], agg["n"], last.hash)
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(anchor.__dict__, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if notify_admins:
        _tell_audit_admins(anchor)
    return anchor


def _tell_audit_admins(anchor: Anchor) -> None:
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from .roles import Role
    from .services.notify import notify

    admins = get_user_model().objects.filter(groups__name=Role.AUDIT_ADMIN, is_active=True)
    notify(
        recipients=list(admins),
        title=_("Audit chain anchor: %(count)d entries") % {"count": anchor.count},
        body=_(
            "The audit chain's head at %(at)s: entry %(last)d, link %(head)s, %(count)d entries "
            "(from entry %(first)d). Keep this message: it proves what the chain held."
        )
        % {
            "at": anchor.at,
            "last": anchor.last_id,
            "head": anchor.head,
            "count": anchor.count,
            "first": anchor.first_id,
        },
    )


def check_anchors(anchors: list[Anchor]):
    """Yield (entry id, reason) for each anchor the chain in the database no longer matches."""
    from .models import AuditEntry

    if not anchors:
        return
    ids = [a.last_id for a in anchors]
    links = dict(AuditEntry.objects.filter(pk__in=ids).values_list("pk", "hash"))
    first = AuditEntry.objects.order_by("pk").values_list("pk", flat=True).first()
    for anchor in anchors:
        link = links.get(anchor.last_id)
        if link is None:
            if first is not None and anchor.last_id < first:
                continue  # purged after 184 days: older than what the database keeps
            yield anchor.last_id, f"anchored entry missing (anchor of {anchor.at}): truncated"
            return
        if not hmac.compare_digest(link, anchor.head):
            yield anchor.last_id, f"entry differs from its anchor of {anchor.at}: rewritten"
            return
    latest = anchors[-1]
    if first == latest.first_id:
        count = AuditEntry.objects.filter(pk__lte=latest.last_id).count()
        if count != latest.count:
            yield (
                latest.last_id,
                (f"{count} entries up to the anchor of {latest.at}, which counted {latest.count}"),
            )


# --- Re-linking (once for the entries written before the key, and at each key change) ---------


class ChainBroken(Exception):
    pass


def relink(
    entry_model,
    head_model,
    *,
    old_link,
    key: bytes | None = None,
    connection=None,
    accept_broken: bool = False,
    batch_size: int = 2000,
) -> int:
    """Re-link every entry under ``key`` after checking the chain under ``old_link``.

    Refuses (ChainBroken, nothing changed) if the chain does not hold under the old scheme —
    re-keying must never launder an edit — unless ``accept_broken`` (the command says so in
    the audit). On PostgreSQL the append-only trigger is set aside for this one transaction;
    only the schema's owner may do that, which is who runs migrations and this command.
    Returns the number of entries re-linked.
    """
    key = key or chain_key()
    rows = entry_model.objects.order_by("pk")
    previous = None
    for entry in rows.iterator(chunk_size=batch_size):
        if not accept_broken:
            if previous is not None and entry.prev_hash != previous:
                raise ChainBroken(f"entry {entry.pk}: previous link does not match")
            if not hmac.compare_digest(old_link(entry), entry.hash):
                raise ChainBroken(f"entry {entry.pk}: content does not match its link")
        previous = entry.hash
    if previous is None:
        return 0
    postgres = connection is not None and connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            # Deferred constraint checks still pending would forbid the ALTER: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE office_auditentry DISABLE TRIGGER USER")
    count = 0
    new_previous = None
    batch = []
    for entry in rows.iterator(chunk_size=batch_size):
        if new_previous is not None:
            entry.prev_hash = new_previous
        entry.hash = keyed_link(entry, key)
        new_previous = entry.hash
        batch.append(entry)
        count += 1
        if len(batch) >= batch_size:
            entry_model.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    if batch:
        entry_model.objects.bulk_update(batch, ["prev_hash", "hash"])
    head_model.objects.update_or_create(pk=1, defaults={"last_hash": new_previous})
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE office_auditentry ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys again
    return count
