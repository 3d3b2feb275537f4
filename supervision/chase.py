"""The chase sweep (催办): 三色督查单, issued by the periodic beat (DOMAIN.md §5.3).

- blue (reminder) when the deadline enters the warning window (working days, so a holiday
  does not swallow it);
- orange (warning) the first working day after the deadline is missed, with a fixed new date;
- red (serious warning, to the leader in charge as well) when the orange slip's date is missed.
An urgent task may start at orange (the fixed date is then its deadline) or red. A task whose
deadline already passed when first swept skips the blue reminder.

Exactly once per task and colour: the unique constraint on (task, level) decides, inside the
transaction that locks the task row (`SKIP LOCKED`, so two beats take disjoint tasks). Slips go
out on working days only: on a holiday nobody is there to read them; the first working day after
catches up. A task under completion review or closed is not chased.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from office.models import NotificationLevel
from office.services.audit import audit_record
from office.services.notify import notify
from office.templatetags.zb import zb_date

from . import dates
from .models import RUNNING_STATES, ChaseLevel, ChaseSlip, SupervisionTask, TaskHandler

BATCH = 500


def orange_workdays() -> int:
    return getattr(settings, "SUPERVISION_ORANGE_WORKDAYS", 3)


def red_workdays() -> int:
    return getattr(settings, "SUPERVISION_RED_WORKDAYS", 2)


def _due_q(today: dt.date) -> Q:
    return (
        Q(chase_level=ChaseLevel.NONE, due_on__lte=dates.yellow_until(today))
        | Q(chase_level=ChaseLevel.BLUE, due_on__lt=today)
        | Q(chase_level=ChaseLevel.ORANGE, chase_respond_by__lt=today)
    )


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Issue every slip that is due; return how many of each colour were issued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    issued = {"blue": 0, "orange": 0, "red": 0}
    if not dates.is_workday(today):
        return issued
    last_pk = 0
    while True:
        with transaction.atomic():
            tasks = list(
                SupervisionTask.objects.filter(
                    _due_q(today), state__in=RUNNING_STATES, due_on__isnull=False, pk__gt=last_pk
                )
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("leader", "supervisor", "lead_section__head__user", "lead_unit")
                .order_by("pk")[:BATCH]
            )
            for task in tasks:
                slip = _issue(task, today, now)
                if slip is not None:
                    issued[slip.colour] += 1
        if len(tasks) < BATCH:
            return issued
        last_pk = tasks[-1].pk


def _next_level(task: SupervisionTask, today: dt.date) -> tuple[int, dt.date]:
    """The colour of the next slip and the date it gives."""
    if task.chase_level == ChaseLevel.NONE:
        level = task.chase_start
        if today > task.due_on:
            level = max(level, ChaseLevel.ORANGE)
    else:
        level = min(task.chase_level + 1, ChaseLevel.RED)
    if level == ChaseLevel.BLUE or (level == ChaseLevel.ORANGE and today <= task.due_on):
        return level, task.due_on
    if level == ChaseLevel.ORANGE:
        return level, dates.add_workdays(today, orange_workdays())
    return level, dates.add_workdays(today, red_workdays())


def _issue(task: SupervisionTask, today: dt.date, now: dt.datetime) -> ChaseSlip | None:
    from office.numbers import next_number

    from .services import _handler_people, _supervisors

    level, respond_by = _next_level(task, today)
    texts = {
        ChaseLevel.BLUE: _(
            "The deadline of this supervised task is near. Finish it and report by %(d)s."
        ),
        ChaseLevel.ORANGE: _(
            "This supervised task is not done on time. Finish it and report by %(d)s without fail."
        ),
        ChaseLevel.RED: _(
            "This supervised task is seriously overdue and is reported to the leader in charge. "
            "Finish it and report by %(d)s."
        ),
    }
    try:
        with transaction.atomic():
            slip = ChaseSlip.objects.create(
                task=task,
                level=level,
                number=f"督查单〔{today.year}〕{next_number('supervision:slip', today.year)}号",
                issued_at=now,
                respond_by=respond_by,
                text=texts[level] % {"d": zb_date(respond_by)},
            )
    except IntegrityError:
        return None  # issued already (by a concurrent sweep): exactly once
    SupervisionTask.objects.filter(pk=task.pk).update(
        chase_level=level, chase_respond_by=respond_by
    )
    people = []
    for handler in TaskHandler.objects.filter(task=task).select_related(
        "section__head__user", "unit"
    ):
        people += _handler_people(handler)
    people += _supervisors(task)
    if level == ChaseLevel.RED and task.leader_id:
        people.append(task.leader)
    titles = {
        ChaseLevel.BLUE: _("Blue chase slip: %(t)s"),
        ChaseLevel.ORANGE: _("Orange chase slip: %(t)s"),
        ChaseLevel.RED: _("Red chase slip: %(t)s"),
    }
    notify(
        recipients=people,
        level=NotificationLevel.REMINDER
        if level == ChaseLevel.BLUE
        else NotificationLevel.ESCALATION,
        title=titles[level] % {"t": task.title},
        body=slip.text,
        url=task.get_absolute_url(),
        now=now,
    )
    audit_record(
        action="supervision.chase",
        obj=task,
        changes={"slip": slip.number, "level": slip.colour, "respond_by": respond_by.isoformat()},
        now=now,
    )
    return slip
