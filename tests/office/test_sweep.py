"""The deadline sweep (office.sweep): remind → overdue → section head → leader in charge, each
rung exactly once per cycle, whatever runs again or at the same time."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection

from office.models import (
    AuditEntry,
    DeadlineMarker,
    Notification,
    NotificationLevel,
    OutboxMessage,
    Section,
    SweepLevel,
    TimeLimitRule,
    WorkItem,
)
from office.services import TransitionError
from office.services import workitems as svc
from office.sweep import sweep

from ..conftest import requires_postgres

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=SH)
DUE = dt.datetime(2026, 9, 4, 18, 0, tzinfo=SH)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
# Without a rule: remind 24 h before the deadline, the section head 24 h after, the leader 48 h.
REMIND_AT = DUE - 24 * HOUR
HEAD_AT = DUE + 24 * HOUR
LEADER_AT = DUE + 48 * HOUR

REMINDED, OVERDUE, HEAD, LEADER = (
    SweepLevel.REMINDED,
    SweepLevel.OVERDUE,
    SweepLevel.SECTION_HEAD,
    SweepLevel.LEADER,
)


@pytest.fixture
def reachable(demo_office):
    """Everyone the ladder may reach has an e-mail address, so each notification is also one
    outbox message."""
    for username in ("clerk", "secretary", "general_head", "vicemayor", "mayor", "secgeneral"):
        User.objects.filter(username=username).update(email=f"{username}@wlht.gov.cn")


def _open(assignee, actor, *, due=DUE, start=START, **kwargs) -> WorkItem:
    defaults = {
        "title": "起草全市秋季安全生产检查方案",
        "kind": "document",
        "action": "handle",
        "assignee": assignee,
        "section": Section.objects.get(code="general"),
        "actor": actor,
        "start": start,
        "due_at": due,
        "now": start,
        "notify_people": False,
    }
    defaults.update(kwargs)
    return svc.workitem_open(**defaults)


def _markers(item: WorkItem) -> list[tuple[int, int]]:
    """(cycle, level) of every rung this item reached."""
    return sorted(DeadlineMarker.objects.filter(work_item=item).values_list("cycle", "level"))


def _notes(item: WorkItem, *levels: str) -> list[tuple[str, str]]:
    """(recipient, level) of the sweep's notifications about this item, sorted."""
    qs = Notification.objects.filter(work_item=item)
    if levels:
        qs = qs.filter(level__in=levels)
    return sorted(qs.values_list("recipient__username", "level"))


def _outbox(item: WorkItem) -> int:
    return OutboxMessage.objects.filter(notification__work_item=item).count()


SWEEP_LEVELS = (NotificationLevel.REMINDER, NotificationLevel.OVERDUE, NotificationLevel.ESCALATION)
AFTER_REMINDER = [("clerk", "reminder")]
AFTER_OVERDUE = sorted([*AFTER_REMINDER, ("clerk", "overdue"), ("secretary", "overdue")])
AFTER_HEAD = sorted([*AFTER_OVERDUE, ("general_head", "escalation")])
AFTER_LEADER = sorted([*AFTER_HEAD, ("vicemayor", "escalation")])


# --- The reminder ------------------------------------------------------------------------
def test_nothing_happens_before_the_reminder_window(clerk, secretary):
    item = _open(clerk, secretary)
    sweep(now=START)
    sweep(now=REMIND_AT - MINUTE)
    assert _markers(item) == [] and _notes(item) == []


def test_entering_the_reminder_window_sends_exactly_one_reminder(clerk, secretary, reachable):
    item = _open(clerk, secretary)
    assert item.remind_at == REMIND_AT
    sweep(now=REMIND_AT + MINUTE)
    assert _markers(item) == [(0, REMINDED)]
    note = Notification.objects.get(work_item=item)
    assert (note.recipient, note.level) == (clerk, NotificationLevel.REMINDER)
    assert item.title in note.title
    assert OutboxMessage.objects.get(notification=note).address == "clerk@wlht.gov.cn"
    # Again, and again later but still before the deadline: nothing new.
    sweep(now=REMIND_AT + MINUTE)
    sweep(now=DUE - MINUTE)
    assert _markers(item) == [(0, REMINDED)]
    assert _notes(item) == AFTER_REMINDER and _outbox(item) == 1
    item.refresh_from_db()
    assert item.sweep_level == REMINDED and item.next_sweep_at == DUE


def test_the_sweep_reports_how_many_items_reached_each_rung(clerk, secretary):
    _open(clerk, secretary)
    _open(clerk, secretary, title="第二件")
    assert sweep(now=REMIND_AT + MINUTE) == {REMINDED: 2, OVERDUE: 0, HEAD: 0, LEADER: 0}
    assert sweep(now=REMIND_AT + MINUTE) == {REMINDED: 0, OVERDUE: 0, HEAD: 0, LEADER: 0}


# --- Past the deadline -------------------------------------------------------------------
def test_an_overdue_item_climbs_the_ladder_one_rung_at_a_time_each_rung_once(
    clerk, secretary, reachable
):
    item = _open(clerk, secretary)
    assert item.leader.username == "vicemayor"  # 综合科's leader in charge
    steps = [
        (REMIND_AT + MINUTE, [(0, REMINDED)], AFTER_REMINDER),
        (DUE + MINUTE, [(0, REMINDED), (0, OVERDUE)], AFTER_OVERDUE),
        (HEAD_AT + MINUTE, [(0, REMINDED), (0, OVERDUE), (0, HEAD)], AFTER_HEAD),
        (LEADER_AT + MINUTE, [(0, REMINDED), (0, OVERDUE), (0, HEAD), (0, LEADER)], AFTER_LEADER),
    ]
    for now, markers, notes in steps:
        for _ in range(3):  # the beat runs every few minutes: repeats change nothing
            sweep(now=now)
            sweep(now=now + 10 * MINUTE)
        assert _markers(item) == markers, now
        assert _notes(item) == notes, now
        assert _outbox(item) == len(notes)
    # Long after: the top of the ladder is the end of it.
    sweep(now=LEADER_AT + 30 * 24 * HOUR)
    assert _notes(item) == AFTER_LEADER
    item.refresh_from_db()
    assert item.sweep_level == LEADER and item.next_sweep_at is None


def test_the_overdue_notice_and_the_escalations_say_what_happened(clerk, secretary):
    item = _open(clerk, secretary)
    sweep(now=LEADER_AT + MINUTE)
    overdue = Notification.objects.get(work_item=item, recipient=clerk, level="overdue")
    to_head = Notification.objects.get(
        work_item=item, level="escalation", recipient__username="general_head"
    )
    to_leader = Notification.objects.get(
        work_item=item, level="escalation", recipient__username="vicemayor"
    )
    assert len({overdue.title, to_head.title, to_leader.title}) == 3
    assert all(item.title in n.title for n in (overdue, to_head, to_leader))


def test_work_given_to_a_person_alone_escalates_through_their_own_section(clerk, secretary):
    """No section on the item: the head and the leader in charge are those of the assignee's
    section, read when the rung is reached."""
    general = Section.objects.get(code="general")
    item = _open(clerk, secretary, section=None)
    assert item.leader is None
    Section.objects.filter(pk=general.pk).update(
        leader_in_charge=User.objects.get(username="secgeneral")
    )
    sweep(now=HEAD_AT + MINUTE)
    assert _notes(item, NotificationLevel.ESCALATION) == [("general_head", "escalation")]
    sweep(now=LEADER_AT + MINUTE)
    assert _notes(item, NotificationLevel.ESCALATION) == [
        ("general_head", "escalation"),
        ("secgeneral", "escalation"),
    ]


def test_section_work_with_nobody_named_reminds_the_section_head(secretary, section_head):
    item = _open(None, secretary)
    sweep(now=DUE + MINUTE)
    assert _notes(item) == [
        ("general_head", "overdue"),
        ("general_head", "reminder"),
        ("secretary", "overdue"),
    ]


def test_a_rule_without_leader_escalation_stops_at_the_section_head(clerk, secretary):
    TimeLimitRule.objects.filter(code="document.handle").update(escalate_to_leader_after_hours=None)
    item = _open(clerk, secretary, rule="document.handle")
    assert item.escalate_leader_at is None
    sweep(now=DUE + 365 * 24 * HOUR)
    assert _markers(item) == [(0, REMINDED), (0, OVERDUE), (0, HEAD)]
    assert ("vicemayor", "escalation") not in _notes(item)
    item.refresh_from_db()
    assert item.sweep_level == HEAD and item.next_sweep_at is None


def test_a_sweep_that_was_down_catches_up_every_rung_once(clerk, secretary, reachable):
    item = _open(clerk, secretary)
    assert sweep(now=LEADER_AT + 7 * 24 * HOUR) == {REMINDED: 1, OVERDUE: 1, HEAD: 1, LEADER: 1}
    assert _markers(item) == [(0, REMINDED), (0, OVERDUE), (0, HEAD), (0, LEADER)]
    assert _notes(item) == AFTER_LEADER
    assert _outbox(item) == len(AFTER_LEADER)
    sweep(now=LEADER_AT + 7 * 24 * HOUR)
    sweep(now=LEADER_AT + 8 * 24 * HOUR)
    assert _notes(item) == AFTER_LEADER and _outbox(item) == len(AFTER_LEADER)


def test_a_catch_up_stops_at_the_rung_the_clock_has_reached(clerk, secretary):
    item = _open(clerk, secretary)
    sweep(now=HEAD_AT + MINUTE)  # past the head's threshold, not the leader's
    assert _markers(item) == [(0, REMINDED), (0, OVERDUE), (0, HEAD)]
    sweep(now=LEADER_AT + MINUTE)
    assert _markers(item)[-1] == (0, LEADER)


def test_small_batches_reach_every_item(clerk, secretary):
    items = [_open(clerk, secretary, title=f"批量事项{i}") for i in range(7)]
    reached = sweep(now=LEADER_AT + MINUTE, batch=2)
    assert reached == {REMINDED: 7, OVERDUE: 7, HEAD: 7, LEADER: 7}
    for item in items:
        assert _markers(item) == [(0, REMINDED), (0, OVERDUE), (0, HEAD), (0, LEADER)]
        assert _notes(item) == AFTER_LEADER


def test_closed_work_is_not_swept(clerk, secretary, section_head):
    done = _open(clerk, secretary, title="已办结")
    cancelled = _open(clerk, secretary, title="已撤销")
    svc.workitem_complete(item=done, by=clerk, now=START + HOUR)
    svc.workitem_cancel(item=cancelled, by=section_head, reason="来文单位撤回", now=START + HOUR)
    sweep(now=LEADER_AT + MINUTE)
    assert _markers(done) == [] and _markers(cancelled) == []
    assert _notes(done, *SWEEP_LEVELS) == [] and _notes(cancelled, *SWEEP_LEVELS) == []


def test_work_completed_after_a_reminder_climbs_no_further(clerk, secretary):
    item = _open(clerk, secretary)
    sweep(now=REMIND_AT + MINUTE)
    svc.workitem_complete(item=item, by=clerk, now=REMIND_AT + HOUR)
    sweep(now=LEADER_AT + MINUTE)
    assert _markers(item) == [(0, REMINDED)]
    assert _notes(item) == AFTER_REMINDER


# --- Stopping the clock, extending -------------------------------------------------------
def test_a_paused_item_is_not_swept_and_resuming_moves_the_deadline(clerk, secretary, section_head):
    # 依申请公开: the clock stops while a third party is consulted; 72 h reminder lead.
    item = _open(clerk, secretary, rule="disclosure.answer")
    remind_at = DUE - 72 * HOUR
    assert item.remind_at == remind_at
    sweep(now=remind_at + MINUTE)
    assert _markers(item) == [(0, REMINDED)]
    paused_at = remind_at + HOUR
    svc.workitem_pause(item=item, by=section_head, reason="征求第三方意见", now=paused_at)

    # While stopped, nothing happens, however late it gets.
    sweep(now=DUE + MINUTE)
    sweep(now=DUE + 30 * 24 * HOUR)
    assert _markers(item) == [(0, REMINDED)]
    assert _notes(item, *SWEEP_LEVELS) == AFTER_REMINDER

    stopped = dt.timedelta(days=10)
    svc.workitem_resume(item=item, by=section_head, now=paused_at + stopped)
    item.refresh_from_db()
    assert item.due_at == DUE + stopped
    assert item.sweep_cycle == 1 and item.sweep_level == SweepLevel.NONE
    assert item.next_sweep_at == item.remind_at == DUE + stopped - 72 * HOUR

    # The old deadline has passed, but the new one has not: not overdue. The clock restarted
    # inside the reminder window, so the new cycle begins with a fresh reminder.
    sweep(now=paused_at + stopped + MINUTE)
    assert _markers(item) == [(0, REMINDED), (1, REMINDED)]
    sweep(now=DUE + stopped - MINUTE)
    assert _markers(item) == [(0, REMINDED), (1, REMINDED)]
    sweep(now=DUE + stopped + MINUTE)
    assert _markers(item) == [(0, REMINDED), (1, REMINDED), (1, OVERDUE)]
    assert _notes(item, *SWEEP_LEVELS) == sorted(
        [*AFTER_REMINDER, ("clerk", "reminder"), ("clerk", "overdue"), ("secretary", "overdue")]
    )


def test_extending_moves_the_deadline_starts_a_new_cycle_and_notifies(
    clerk, secretary, leader, reachable
):
    # 信访 handling: 60 days, one extension of up to 30 days approved by a leader.
    item = _open(clerk, secretary, rule="petition.handle", due=None)
    old_due = item.due_at
    assert old_due == dt.datetime(2026, 11, 3, 0, 0, tzinfo=SH)  # 10-31 (Sat) → 11-02
    sweep(now=item.remind_at + MINUTE)
    assert _markers(item) == [(0, REMINDED)]

    extended_at = old_due - 12 * HOUR
    svc.workitem_extend(item=item, by=leader, amount=30, reason="情况复杂", now=extended_at)
    item.refresh_from_db()
    assert item.due_at == dt.datetime(2026, 12, 3, 0, 0, tzinfo=SH)  # 11-02 + 30 = 12-02
    assert item.sweep_cycle == 1 and item.sweep_level == SweepLevel.NONE
    extended = Notification.objects.filter(work_item=item, level=NotificationLevel.INFO)
    assert sorted(extended.values_list("recipient__username", flat=True)) == [
        "clerk",
        "secretary",
    ]
    assert OutboxMessage.objects.filter(notification__in=extended).count() == 2

    # The old deadline passes without an overdue notice.
    sweep(now=old_due + HOUR)
    sweep(now=old_due + 3 * 24 * HOUR)
    assert _markers(item) == [(0, REMINDED)]
    # The new cycle climbs its own ladder, once.
    sweep(now=item.remind_at + MINUTE)
    sweep(now=item.due_at + MINUTE)
    sweep(now=item.due_at + MINUTE)
    assert _markers(item) == [(0, REMINDED), (1, REMINDED), (1, OVERDUE)]
    assert _notes(item, *SWEEP_LEVELS) == sorted(
        [*AFTER_REMINDER, ("clerk", "reminder"), ("clerk", "overdue"), ("secretary", "overdue")]
    )


# --- Moving a deadline (reschedule) ------------------------------------------------------
def test_rescheduling_moves_the_deadline_over_a_holiday_and_starts_the_ladder_afresh(
    clerk, secretary, reachable
):
    """Due 9/30 18:00, the eve of National Day; the reminder went out. Moved to the end of 10/9,
    after the holiday: the old deadline passes in the holiday without an overdue notice, and
    the new one climbs its own ladder, each rung once."""
    due = dt.datetime(2026, 9, 30, 18, 0, tzinfo=SH)
    item = _open(clerk, secretary, due=due)
    sweep(now=due - 12 * HOUR)
    assert _markers(item) == [(0, REMINDED)]
    new_due = dt.datetime(2026, 10, 10, 0, 0, tzinfo=SH)
    moved = svc.workitem_reschedule(
        item=item, due_at=new_due, by=None, reason="延期获批", now=due - 6 * HOUR
    )
    assert moved.pk == item.pk
    item.refresh_from_db()
    assert item.due_at == new_due and item.remind_at == new_due - 24 * HOUR
    assert item.escalate_at == new_due + 24 * HOUR
    assert (item.sweep_cycle, item.sweep_level, item.next_sweep_at) == (1, 0, item.remind_at)
    assert item.extensions == 0  # not one of a rule's extensions
    event = item.events.get(kind="reschedule")
    assert (event.old_due_at, event.new_due_at, event.reason) == (due, new_due, "延期获批")
    assert AuditEntry.objects.filter(action="workitem.reschedule", object_id=str(item.pk)).exists()
    for day in range(1, 9):  # the holiday, and the first working day after it
        sweep(now=dt.datetime(2026, 10, day, 9, 0, tzinfo=SH))
    assert _markers(item) == [(0, REMINDED)]
    sweep(now=dt.datetime(2026, 10, 9, 9, 0, tzinfo=SH))
    sweep(now=dt.datetime(2026, 10, 10, 9, 0, tzinfo=SH))
    sweep(now=dt.datetime(2026, 10, 10, 10, 0, tzinfo=SH))
    assert _markers(item) == [(0, REMINDED), (1, REMINDED), (1, OVERDUE)]
    assert _notes(item, *SWEEP_LEVELS) == sorted(
        [*AFTER_REMINDER, ("clerk", "reminder"), ("clerk", "overdue"), ("secretary", "overdue")]
    )


def test_rescheduling_after_the_overdue_notice_clears_the_overdue_state(clerk, secretary):
    item = _open(clerk, secretary)
    sweep(now=DUE + HOUR)
    item.refresh_from_db()
    assert item.sweep_level == OVERDUE and item.light(DUE + HOUR) == "red"
    later = DUE + 10 * 24 * HOUR
    svc.workitem_reschedule(item=item, due_at=later, reason="延期获批", now=DUE + 2 * HOUR)
    item.refresh_from_db()
    assert item.sweep_level == SweepLevel.NONE and item.light(DUE + 2 * HOUR) == "green"


def test_rescheduling_is_refused_without_reason_right_or_open_work(
    clerk, secretary, section_head, other_section_staff
):
    item = _open(clerk, secretary)
    later = DUE + 24 * HOUR
    with pytest.raises(TransitionError):
        svc.workitem_reschedule(item=item, due_at=later, reason=" ")
    with pytest.raises(TransitionError):
        svc.workitem_reschedule(item=item, due_at=None, reason="延期")
    with pytest.raises(PermissionDenied):
        svc.workitem_reschedule(item=item, due_at=later, by=other_section_staff, reason="延期")
    svc.workitem_reschedule(item=item, due_at=later, by=section_head, reason="延期")
    svc.workitem_complete(item=item, by=clerk)
    with pytest.raises(TransitionError):
        svc.workitem_reschedule(item=item, due_at=later + HOUR, reason="延期")
    item.refresh_from_db()
    assert item.due_at == later


# --- Work chased by its app (quiet) -------------------------------------------------------
@pytest.fixture
def quiet_documents():
    from office.sweep import quiet, unquiet

    quiet("document", "handle")
    yield
    unquiet("document", "handle")


def test_quiet_work_climbs_the_ladder_without_notifications(clerk, secretary, quiet_documents):
    item = _open(clerk, secretary)
    other = _open(clerk, secretary, action="review", title="审核方案")
    sweep(now=LEADER_AT + MINUTE)
    assert _markers(item) == [(0, REMINDED), (0, OVERDUE), (0, HEAD), (0, LEADER)]
    assert _notes(item) == [] and _outbox(item) == 0
    # Another action of the same kind is not quiet.
    assert _notes(other, *SWEEP_LEVELS) == AFTER_LEADER


def test_supervision_declares_its_handling_quiet():
    from office.sweep import quiet_pairs

    assert ("supervision", "handle") in quiet_pairs()
    assert ("supervision", "report") not in quiet_pairs()
    assert not {k for k, _a in quiet_pairs()} - {"supervision"}


# --- Two sweeps at once ------------------------------------------------------------------
@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_reach_each_rung_of_each_item_exactly_once(
    clerk, secretary, reachable, monkeypatch
):
    # Committed transactions would kick the Celery publisher; the outbox rows are what we check.
    monkeypatch.setattr("office.services.notify.kick_delivery", lambda: None)
    n = 300
    section = Section.objects.get(code="general")
    items = [
        _open(clerk, secretary, title=f"并发事项{i}", section=section, due=DUE + i * MINUTE)
        for i in range(n)
    ]
    ids = [item.pk for item in items]
    now = LEADER_AT + 1000 * MINUTE  # every item is past every threshold
    barrier = threading.Barrier(2, timeout=30)
    results: list[dict[int, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sweep(now=now, batch=20))
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 2

    # Between them the two sweeps took every item up every rung, and no item twice.
    for level in (REMINDED, OVERDUE, HEAD, LEADER):
        assert sum(r[level] for r in results) == n, level
    markers = Counter(
        DeadlineMarker.objects.filter(work_item_id__in=ids).values_list("work_item_id", "level")
    )
    assert len(markers) == 4 * n and set(markers.values()) == {1}
    assert set(WorkItem.objects.filter(pk__in=ids).values_list("sweep_level", flat=True)) == {
        LEADER
    }
    notes = Counter(
        Notification.objects.filter(work_item_id__in=ids).values_list(
            "work_item_id", "recipient__username", "level"
        )
    )
    assert set(notes.values()) == {1}
    per_item = Counter(work_item_id for work_item_id, _who, _level in notes)
    assert set(per_item.values()) == {len(AFTER_LEADER)}
    outbox = Counter(
        OutboxMessage.objects.filter(notification__work_item_id__in=ids).values_list(
            "notification_id", flat=True
        )
    )
    assert len(outbox) == len(notes) and set(outbox.values()) == {1}
