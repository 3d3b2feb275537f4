"""The deadline sweep (限时办结): remind → mark overdue → escalate to the section head → to the
leader in charge. Set-based, one rung at a time, in batches.

Exactly once, by construction rather than luck:
- rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL), so concurrent sweeps
  take disjoint batches;
- each rung reached writes a `DeadlineMarker` with a unique (work item, cycle, level) and
  `ON CONFLICT DO NOTHING RETURNING`, and only the rows this sweep really inserted are notified;
- markers, the ladder position and the notifications commit in one transaction.
An item whose deadline is extended or whose clock is restarted starts a new cycle (its ladder
starts again). A beat that was down catches up: an item can climb several rungs in one sweep.

An app that chases some of its work its own way (supervision's 三色督查单) declares those
(kind, action) pairs quiet with `quiet()`: the ladder still climbs for them (markers, the
overdue level the inbox and the register read), only the generic notifications are left out,
so nobody gets the same warning twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DeadlineMarker, NotificationLevel, SweepLevel, WorkItem, WorkState
from .services.notify import notify_many
from .services.workitems import members_of

BATCH = 5000

# (kind, action) pairs whose rungs are reached without a notification; see `quiet`.
_QUIET: set[tuple[str, str]] = set()


def quiet(kind: str, action: str) -> None:
    """Declare work of `kind` and `action` chased by its app: no generic reminder or
    escalation is sent for it (called from the app's `AppConfig.ready`)."""
    _QUIET.add((str(kind), str(action)))


def unquiet(kind: str, action: str) -> None:
    _QUIET.discard((str(kind), str(action)))


def quiet_pairs() -> frozenset[tuple[str, str]]:
    return frozenset(_QUIET)


@dataclass(frozen=True)
class Rung:
    level: int
    next_field: str | None
    notification_level: str
    title: str


def _ladder() -> list[Rung]:
    return [
        Rung(SweepLevel.REMINDED, "due_at", NotificationLevel.REMINDER, _("Due soon: %(t)s")),
        Rung(SweepLevel.OVERDUE, "escalate_at", NotificationLevel.OVERDUE, _("Overdue: %(t)s")),
        Rung(
            SweepLevel.SECTION_HEAD,
            "escalate_leader_at",
            NotificationLevel.ESCALATION,
            _("Overdue in your section: %(t)s"),
        ),
        Rung(
            SweepLevel.LEADER,
            None,
            NotificationLevel.ESCALATION,
            _("Overdue, escalated to you: %(t)s"),
        ),
    ]


def sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> dict[int, int]:
    """Run every rung until nothing is left; return how many items reached each rung."""
    now = now or timezone.now()
    reached: dict[int, int] = {}
    for rung in _ladder():
        while True:
            done = _climb(rung, now, batch)
            reached[rung.level] = reached.get(rung.level, 0) + done
            if done < batch:
                break
    return reached


def _climb(rung: Rung, now: dt.datetime, batch: int) -> int:
    with transaction.atomic():
        claimed = list(
            WorkItem.objects.filter(
                state=WorkState.OPEN,
                paused_at__isnull=True,
                next_sweep_at__lte=now,
                sweep_level=rung.level - 1,
            )
            .select_for_update(skip_locked=True)
            .order_by()
            .values_list("pk", "sweep_cycle")[:batch]
        )
        if not claimed:
            return 0
        ids = [pk for pk, _cycle in claimed]
        inserted = _insert_markers(claimed, rung.level, now)
        WorkItem.objects.filter(pk__in=ids).update(
            sweep_level=rung.level,
            next_sweep_at=F(rung.next_field) if rung.next_field else Value(None),
        )
        _notify(rung, inserted, now)
        return len(claimed)


def _insert_markers(claimed: list[tuple[int, int]], level: int, now: dt.datetime) -> list[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the ids whose marker this call wrote."""
    table = DeadlineMarker._meta.db_table
    inserted: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The whole batch in one statement: two arrays, not 500 rows of parameters a time
            # (a 5,000-item batch was ten round trips; issue 21, the sweep set-based to the end).
            cursor.execute(
                f"INSERT INTO {table} (work_item_id, cycle, level, at) "
                "SELECT w, c, %s, %s FROM unnest(%s::bigint[], %s::integer[]) AS t(w, c) "
                "ON CONFLICT (work_item_id, cycle, level) DO NOTHING RETURNING work_item_id",
                [level, now, [pk for pk, _ in claimed], [cycle for _, cycle in claimed]],
            )
            return [row[0] for row in cursor.fetchall()]
        for start in range(0, len(claimed), 500):
            chunk = claimed[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            params: list = []
            for pk, cycle in chunk:
                params += [pk, cycle, level, now]
            cursor.execute(
                f"INSERT INTO {table} (work_item_id, cycle, level, at) VALUES {values} "
                "ON CONFLICT (work_item_id, cycle, level) DO NOTHING RETURNING work_item_id",
                params,
            )
            inserted += [row[0] for row in cursor.fetchall()]
    return inserted


def _notify(rung: Rung, ids: list[int], now: dt.datetime) -> None:
    if not ids:
        return
    rows = []
    items = WorkItem.objects.filter(pk__in=ids).values(
        "pk",
        "kind",
        "action",
        "title",
        "url",
        "assignee_id",
        "assigned_by_id",
        "leader_id",
        "section_id",
        "unit_id",
        "section__head__user_id",
        "section__leader_in_charge_id",
        "assignee__staff__section__head__user_id",
        "assignee__staff__section__leader_in_charge_id",
    )
    quiet_now = quiet_pairs()
    items = [it for it in items if (it["kind"], it["action"]) not in quiet_now]
    # Work with nobody named in a section without a head goes to all the section's (or unit's)
    # members, never to nobody (issue 16); one query for every such item of the batch.
    members = members_of(
        section_ids={it["section_id"] for it in items if not it["assignee_id"]},
        unit_ids={it["unit_id"] for it in items if not it["assignee_id"]},
    )
    for it in items:
        head = it["section__head__user_id"] or it["assignee__staff__section__head__user_id"]
        leader_in_charge = (
            it["section__leader_in_charge_id"]
            or it["assignee__staff__section__leader_in_charge_id"]
        )
        if it["assignee_id"]:
            doers = {it["assignee_id"]}
        elif head:
            doers = {head}
        else:
            doers = members.get(("section", it["section_id"]), set()) | members.get(
                ("unit", it["unit_id"]), set()
            )
        if rung.level == SweepLevel.REMINDED:
            recipients = set(doers)
        elif rung.level == SweepLevel.OVERDUE:
            recipients = {*doers, it["assigned_by_id"]}
        elif rung.level == SweepLevel.SECTION_HEAD:
            # No head to escalate to: the leader in charge, and the members who hold it.
            recipients = {head} if head else {leader_in_charge, *doers}
        else:
            recipients = {it["leader_id"] or leader_in_charge}
        title = rung.title % {"t": it["title"]}
        for uid in recipients - {None}:
            rows.append((uid, rung.notification_level, title, "", it["url"], it["pk"]))
    notify_many(rows, now=now)
