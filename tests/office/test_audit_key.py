"""The keyed, anchored audit chain (issue 15, finding 3; SECURITY.md S-37; 等保 8.1.4.3 c).

Found: as the database owner, switch the trigger off, edit an entry, recompute the chain —
`verify_audit` said intact. Now each link is HMAC-SM3 under a key outside the database, and
daily anchors outside the database catch a rewrite or a cut even by someone holding the key.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from office import auditchain
from office.models import AuditEntry, Notification
from office.roles import Role
from office.services.audit import audit_record, verify_chain
from office.tasks import audit_anchor

pytestmark = [pytest.mark.django_db, pytest.mark.security("S-37")]


@pytest.fixture(autouse=True)
def anchors(settings, tmp_path):
    settings.AUDIT_ANCHOR_PATH = str(tmp_path / "anchors.log")
    return tmp_path / "anchors.log"


def _entries(n: int) -> list[AuditEntry]:
    return [audit_record(action="test.write", object_repr=f"条目{i}") for i in range(n)]


def _as_owner(sql: str, params: list) -> None:
    """Behind the application's back, as the database's owner could (triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _recompute_from(entries_from: int, link) -> None:
    """Recompute every link from an entry on with ``link`` and move the head: a forger's
    rewrite of the chain after an edit."""
    previous = None
    for entry in AuditEntry.objects.order_by("pk"):
        if entry.pk >= entries_from:
            entry.prev_hash = previous if previous is not None else entry.prev_hash
            entry.hash = link(entry)
            _as_owner(
                "UPDATE office_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                [entry.prev_hash, entry.hash, entry.pk],
            )
        previous = entry.hash
    _as_owner("UPDATE office_auditchainhead SET last_hash = %s WHERE id = 1", [previous])


def _edit(entry: AuditEntry) -> None:
    _as_owner("UPDATE office_auditentry SET comment = %s WHERE id = %s", ["改过", entry.pk])


def test_links_are_hmac_sm3_under_the_key_not_a_plain_hash(settings):
    entry = _entries(1)[0]
    assert entry.hash == auditchain.keyed_link(entry) != auditchain.legacy_link(entry)
    settings.AUDIT_CHAIN_KEY = "another-key"
    assert auditchain.keyed_link(entry) != entry.hash


@pytest.mark.parametrize(
    "forged_with",
    [
        pytest.param(auditchain.legacy_link, id="plain-sha256"),
        pytest.param(lambda e: auditchain.keyed_link(e, b"a-guessed-key"), id="hmac-wrong-key"),
    ],
)
def test_a_chain_recomputed_without_the_key_is_detected(forged_with):
    entries = _entries(5)
    with transaction.atomic():
        _edit(entries[2])
        _recompute_from(entries[2].pk, forged_with)
    breaks = list(verify_chain())
    assert [b.entry_id for b in breaks] == [entries[2].pk]
    with pytest.raises(CommandError, match=f"entry {entries[2].pk}"):
        call_command("verify_audit", verbosity=0)


def test_a_chain_rewritten_with_the_key_is_caught_by_the_anchor(anchors):
    entries = _entries(5)
    anchor = audit_anchor.run() and auditchain.read_anchors()[-1]
    assert anchor.last_id == entries[-1].pk
    _entries(2)
    assert list(verify_chain()) == []
    with transaction.atomic():
        _edit(entries[1])
        _recompute_from(entries[1].pk, auditchain.keyed_link)  # the key holder's forgery
    breaks = list(verify_chain())
    assert len(breaks) == 1 and "rewritten" in breaks[0].reason
    assert breaks[0].entry_id == anchor.last_id


def test_a_chain_truncated_after_the_last_anchor_is_detected(anchors):
    entries = _entries(6)
    audit_anchor.run()
    with transaction.atomic():
        _as_owner("DELETE FROM office_auditentry WHERE id >= %s", [entries[3].pk])
        _as_owner("UPDATE office_auditchainhead SET last_hash = %s WHERE id = 1", [entries[2].hash])
    breaks = list(verify_chain())
    assert len(breaks) == 1 and "truncated" in breaks[0].reason
    with pytest.raises(CommandError, match="truncated"):
        call_command("verify_audit", verbosity=0)


def test_the_daily_anchor_goes_to_a_file_and_to_the_audit_admins(anchors, demo_office):
    _entries(3)
    count = AuditEntry.objects.count()
    assert audit_anchor.run() == count
    line = json.loads(anchors.read_text(encoding="utf-8").splitlines()[-1])
    head = AuditEntry.objects.order_by("-pk").first()
    assert line["head"] == head.hash and line["count"] == count and line["last_id"] == head.pk
    audit_admin = User.objects.get(groups__name=Role.AUDIT_ADMIN)
    message = Notification.objects.filter(recipient=audit_admin).latest("pk")
    assert head.hash in message.body
    audit_anchor.run()  # a second run only appends
    assert len(anchors.read_text(encoding="utf-8").splitlines()) == 2
    call_command("verify_audit", verbosity=0)


def test_the_beat_writes_the_anchor_daily(settings):
    job = settings.CELERY_BEAT_SCHEDULE["audit-anchor"]
    assert job["task"] == "office.tasks.audit_anchor" and job["schedule"] == 86400.0
    assert job["options"]["expires"] < job["schedule"]


def test_existing_unkeyed_entries_are_relinked_under_the_key_once_checked(anchors):
    _entries(4)
    # As written before issue 15: plain SHA-256 links, the whole chain.
    with transaction.atomic():
        _recompute_from(0, auditchain.legacy_link)
    assert list(verify_chain())  # not valid under the key
    call_command("relink_audit", "--from-unkeyed", verbosity=0)
    assert list(verify_chain()) == []
    assert AuditEntry.objects.filter(action="audit.relinked").exists()
    assert auditchain.read_anchors()  # and anchored at once


def test_a_broken_unkeyed_chain_is_not_laundered_by_relinking():
    entries = _entries(4)
    with transaction.atomic():
        _recompute_from(0, auditchain.legacy_link)
        _edit(entries[1])
    before = dict(AuditEntry.objects.values_list("pk", "hash"))
    with pytest.raises(CommandError, match=f"entry {entries[1].pk}.*nothing changed"):
        call_command("relink_audit", "--from-unkeyed", verbosity=0)
    assert dict(AuditEntry.objects.values_list("pk", "hash")) == before


def test_production_without_a_key_stops_at_the_first_audited_action(settings):
    settings.AUDIT_CHAIN_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY"):
        audit_record(action="test.write")
