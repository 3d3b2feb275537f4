"""A worker killed outright in the middle of the deadline sweep (issue 16, finding 4): when the
sweep runs again — on another worker, as the beat starts it every few minutes — every item has
reached each rung exactly once: no marker missing, none twice, one notification per person per
rung."""

from __future__ import annotations

import time

import pytest

from .conftest import report
from .stack import wait_until

pytestmark = pytest.mark.faults

ITEMS = 12_000  # enough that one sweep takes several batches (5,000 a batch, 4 rungs)
RUNGS = 4

ARRANGE = """
import datetime as dt
from django.contrib.auth.models import User
from django.utils import timezone
from office.models import Section, WorkItem
now = timezone.now()
clerk = User.objects.get(username="clerk")
secretary = User.objects.get(username="secretary")
general = Section.objects.get(code="general")
due = now - dt.timedelta(days=10)
WorkItem.objects.bulk_create(
    [
        WorkItem(
            title=f"kill-sweep-{{i}}", kind="other", action="handle", assignee=clerk,
            section=general, assigned_by=secretary, started_at=due - dt.timedelta(days=5),
            due_at=due, remind_at=due - dt.timedelta(days=1),
            escalate_at=due + dt.timedelta(days=1), escalate_leader_at=due + dt.timedelta(days=2),
            next_sweep_at=due - dt.timedelta(days=1),
        )
        for i in range({n})
    ],
    batch_size=2000,
)
print(WorkItem.objects.filter(title__startswith="kill-sweep-").count())
"""

SWEEP = "from office.tasks import deadline_sweep; deadline_sweep.delay()"


def _markers(stack) -> int:
    return stack.pg.scalar(
        "SELECT count(*) FROM office_deadlinemarker m JOIN office_workitem w "
        "ON w.id = m.work_item_id WHERE w.title LIKE 'kill-sweep-%%'"
    )


def test_a_worker_killed_mid_sweep_loses_and_doubles_no_rung(stack):
    created = int(stack.python(ARRANGE.format(n=ITEMS)).split()[-1])
    assert created == ITEMS
    first = stack.worker("sweeper-1", concurrency=1)
    stack.python(SWEEP)
    wait_until("the first batch committed", lambda: _markers(stack) > 0, 300, step=0.05)
    first.kill()  # SIGKILL, mid-sweep: the open batch's transaction dies with it
    at_kill = _markers(stack)
    assert at_kill < ITEMS * RUNGS, "the sweep finished before the kill; raise ITEMS"

    second = stack.worker("sweeper-2", concurrency=1)
    started = time.monotonic()
    stack.python(SWEEP)  # the beat's next run
    wait_until("every rung reached", lambda: _markers(stack) == ITEMS * RUNGS, 600, step=0.5)
    seconds = time.monotonic() - started
    second.stop()

    per_item = stack.pg.rows(
        "SELECT m.level, count(*) FROM office_deadlinemarker m JOIN office_workitem w "
        "ON w.id = m.work_item_id WHERE w.title LIKE 'kill-sweep-%%' GROUP BY m.level"
    )
    doubled_notifications = stack.pg.scalar(
        "SELECT count(*) FROM (SELECT n.work_item_id, n.level, n.title, n.recipient_id "
        "FROM office_notification n JOIN office_workitem w ON w.id = n.work_item_id "
        "WHERE w.title LIKE 'kill-sweep-%%' GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d"
    )
    missing_levels = stack.pg.scalar(
        "SELECT count(*) FROM office_workitem WHERE title LIKE 'kill-sweep-%%' "
        "AND sweep_level <> %s",
        (RUNGS,),
    )
    report(
        "worker killed mid-sweep",
        items=ITEMS,
        markers_at_kill=at_kill,
        lost=missing_levels + sum(ITEMS - n for _, n in per_item),
        duplicated=doubled_notifications,
        seconds_to_finish_after_restart=round(seconds, 1),
    )
    assert sorted(per_item) == [(level, ITEMS) for level in range(1, RUNGS + 1)]
    assert missing_levels == 0
    assert doubled_notifications == 0
