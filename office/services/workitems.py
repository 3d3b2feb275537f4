"""The work-item API the apps call: open, complete, cancel, reassign, pause, resume, extend,
urge. Nothing else changes a work item (STYLE.md, Services)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import workcalendar
from ..models import (
    URGENCY_PRIORITY,
    NotificationLevel,
    Section,
    Staff,
    SweepLevel,
    TimeLimitRule,
    Urgency,
    WorkItem,
    WorkItemEvent,
    WorkItemEventKind,
    WorkState,
)
from ..roles import Role
from . import TransitionError
from .audit import audit_record
from .notify import notify

# Sent when a deadline is counted again (`workitem_recount`), with item, old_due and new_due, so
# an app that shows a copy of the deadline on its own record keeps it in step.
due_moved = Signal()

# Without a rule: remind a day before, the section head a day after, the leader two days after.
DEFAULT_REMIND_BEFORE = dt.timedelta(hours=24)
DEFAULT_HEAD_AFTER = dt.timedelta(hours=24)
DEFAULT_LEADER_AFTER = dt.timedelta(hours=48)


# --- Who may do what ---------------------------------------------------------------------
def staff_of(user) -> Staff | None:
    """The person's staff record (section, unit, post), loaded once per request and cached on
    the user: the apps' visibility rules use it."""
    cached = getattr(user, "_zb_staff", None)
    # office.auth.load_user loaded the request's user with the staff row (or its absence).
    if cached is None and not getattr(user, "_zb_staff_loaded", False):
        # As the shell loads it (office.context_processors): the page's navigation then needs no
        # second query for the person's name, section or unit.
        cached = Staff.objects.filter(user=user).select_related("section", "unit").first()
        if cached is not None:
            cached.user = user
        user._zb_staff = cached
    return cached


def visible_workitems_q(user) -> Q:
    """The work items a person may see, as one filter (used by every page and export)."""
    if user.has_perm("office.view_all_workitems"):
        return Q()
    q = Q(assignee=user) | Q(assigned_by=user) | Q(leader=user) | Q(completed_by=user)
    q |= Q(section__head__user=user)
    staff = staff_of(user)
    if staff is not None and staff.section_id:
        q |= Q(assignee__isnull=True, section_id=staff.section_id)
    if staff is not None and staff.unit_id:
        q |= Q(assignee__isnull=True, unit_id=staff.unit_id)
    return q


def can_act(user, item: WorkItem) -> bool:
    """May `user` complete this item? Its assignee, or — while nobody is named — anyone of its
    section or unit, and always the head of its section."""
    if item.assignee_id is not None and item.assignee_id == user.pk:
        return True
    staff = staff_of(user)
    if item.assignee_id is None and staff is not None:
        if item.section_id and staff.section_id == item.section_id:
            return True
        if item.unit_id and staff.unit_id == item.unit_id:
            return True
    return _heads_section(user, item)


def can_manage(user, item: WorkItem) -> bool:
    """May `user` reassign, pause or cancel it? Whoever assigned it, the leader in charge, the
    head of its section, and the supervision section."""
    return (
        user.pk in (item.assigned_by_id, item.leader_id)
        or _heads_section(user, item)
        or user.has_perm("office.view_all_workitems")
    )


def _heads_section(user, item: WorkItem) -> bool:
    return (
        bool(item.section_id)
        and Section.objects.filter(pk=item.section_id, head__user=user).exists()
    )


def _is_leader(user) -> bool:
    return user.groups.filter(name=Role.LEADER).exists()


# --- Scheduling the deadline ladder --------------------------------------------------------
def _schedule(item: WorkItem, due_at: dt.datetime | None, *, new_cycle: bool) -> None:
    """Set the deadline and the times of each rung of the ladder; restart the ladder."""
    item.due_at = due_at
    rule = item.rule
    if due_at is None:
        item.remind_at = item.escalate_at = item.escalate_leader_at = item.next_sweep_at = None
        return
    remind_before = dt.timedelta(hours=rule.remind_before_hours) if rule else DEFAULT_REMIND_BEFORE
    head_after = (
        dt.timedelta(hours=rule.escalate_to_head_after_hours) if rule else DEFAULT_HEAD_AFTER
    )
    if rule is None:
        leader_after = DEFAULT_LEADER_AFTER
    elif rule.escalate_to_leader_after_hours is None:
        leader_after = None
    else:
        leader_after = dt.timedelta(hours=rule.escalate_to_leader_after_hours)
    item.remind_at = max(due_at - remind_before, item.started_at)
    item.escalate_at = due_at + head_after
    item.escalate_leader_at = due_at + leader_after if leader_after is not None else None
    if new_cycle:
        item.sweep_cycle += 1
    item.sweep_level = SweepLevel.NONE
    item.next_sweep_at = item.remind_at


def _locked(item: WorkItem) -> WorkItem:
    return WorkItem.objects.select_for_update(of=("self",)).select_related("rule").get(pk=item.pk)


def _require_open(item: WorkItem) -> None:
    if item.state != WorkState.OPEN:
        raise TransitionError(_("This work item is already closed."))


def _event(item, kind, by, now, reason="", old_due=None, new_due=None) -> None:
    WorkItemEvent.objects.create(
        work_item=item,
        kind=kind,
        at=now,
        by=by if getattr(by, "pk", None) else None,
        reason=reason,
        old_due_at=old_due,
        new_due_at=new_due,
    )


def _people_to_tell(item: WorkItem) -> list:
    """The assignee; while nobody is named, the head of the section; a section without a head
    (or a unit), all its members; with no member either, the leader in charge. Never nobody
    (issue 16: 街道办 and 行政科 had no head and their work notified no one)."""
    if item.assignee_id:
        return [item.assignee]
    if item.section_id and item.section.head_id:
        return [item.section.head.user]
    members = members_of(section_ids=[item.section_id], unit_ids=[item.unit_id])
    people = members.get(("section", item.section_id), set()) | members.get(
        ("unit", item.unit_id), set()
    )
    if not people and item.section_id and item.section.leader_in_charge_id:
        people = {item.section.leader_in_charge_id}
    return list(User.objects.filter(pk__in=people).order_by("pk"))


def members_of(*, section_ids=(), unit_ids=()) -> dict[tuple[str, int], set[int]]:
    """The active people of each section and unit, in one query: {("section", id): {user
    ids}, ("unit", id): {…}}. For work that has nobody to go to but its place."""
    section_ids = [pk for pk in section_ids if pk]
    unit_ids = [pk for pk in unit_ids if pk]
    found: dict[tuple[str, int], set[int]] = {}
    if not (section_ids or unit_ids):
        return found
    rows = Staff.objects.filter(
        Q(section_id__in=section_ids) | Q(unit_id__in=unit_ids), user__is_active=True
    ).values_list("section_id", "unit_id", "user_id")
    for section_id, unit_id, user_id in rows:
        if section_id in section_ids:
            found.setdefault(("section", section_id), set()).add(user_id)
        if unit_id in unit_ids:
            found.setdefault(("unit", unit_id), set()).add(user_id)
    return found


# --- The API -----------------------------------------------------------------------------
def workitem_open(
    *,
    title: str,
    kind: str,
    action: str,
    actor=None,
    subject=None,
    url: str = "",
    assignee=None,
    section=None,
    unit=None,
    rule: TimeLimitRule | str | None = None,
    urgency: str = Urgency.NORMAL,
    due_at: dt.datetime | None = None,
    start: dt.datetime | None = None,
    leader=None,
    assigned_by=None,
    notify_people: bool = True,
    now: dt.datetime | None = None,
) -> WorkItem:
    """Open a piece of work. The deadline comes from `rule` (its code or the row) on the working
    calendar, unless `due_at` is given; `workcalendar.CalendarNotLoaded` reaches the caller when
    the year is not loaded."""
    now = now or timezone.now()
    if isinstance(rule, str):
        rule = TimeLimitRule.objects.get(code=rule)
    if assignee is None and section is None and unit is None:
        raise TransitionError(_("Work must be given to a person, a section or a unit."))
    if leader is None and section is not None:
        leader = section.leader_in_charge
    start = start or now
    with transaction.atomic():
        item = WorkItem(
            title=title[:300],
            kind=kind,
            action=action,
            url=url,
            assignee=assignee,
            section=section,
            unit=unit,
            assigned_by=assigned_by or (actor if getattr(actor, "pk", None) else None),
            leader=leader,
            urgency=urgency,
            priority=URGENCY_PRIORITY[Urgency(urgency)],
            rule=rule,
            started_at=start,
        )
        if subject is not None:
            item.content_type = ContentType.objects.get_for_model(subject)
            item.object_id = subject.pk
        if due_at is None and rule is not None:
            due_at = workcalendar.due_at(rule, start)
            item.due_basis = {"start": start.isoformat(), "amount": rule.amount, "steps": []}
            item.due_provisional = workcalendar.period_is_provisional(start, due_at)
        _schedule(item, due_at, new_cycle=False)
        item.save()
        _event(item, WorkItemEventKind.OPEN, actor, now, new_due=due_at)
        audit_record(
            action="workitem.open",
            actor=actor,
            obj=item,
            to_state=WorkState.OPEN,
            changes={"due_at": due_at.isoformat() if due_at else None},
            now=now,
        )
        if notify_people:
            notify(
                recipients=_people_to_tell(item),
                title=_("New work: %(t)s") % {"t": title},
                url=url,
                work_item=item,
                now=now,
            )
    return item


def workitem_complete(
    *, item: WorkItem, by, outcome: str = "", authorised: bool = False, now=None
) -> WorkItem:
    """Done. `authorised=True` is for an app's service that has itself checked that `by` may
    take the step this work stands for (e.g. a registrar screening for the secretariat)."""
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if not authorised and not can_act(by, item):
            raise PermissionDenied(
                _("Only the person or section this work is given to may complete it.")
            )
        item.state = WorkState.DONE
        item.completed_at = now
        item.completed_by = by
        item.outcome = outcome
        item.next_sweep_at = None
        item.save()
        _event(item, WorkItemEventKind.COMPLETE, by, now, reason=outcome)
        audit_record(
            action="workitem.complete",
            actor=by,
            obj=item,
            from_state=WorkState.OPEN,
            to_state=WorkState.DONE,
            comment=outcome,
            now=now,
        )
    return item


def workitem_cancel(*, item: WorkItem, by=None, reason: str, now=None) -> WorkItem:
    """Cancel work that is no longer needed. `by=None` is the system acting for an app (e.g. a
    document withdrawn); a person must be allowed to manage the item."""
    now = now or timezone.now()
    if not reason.strip():
        raise TransitionError(_("Say why the work is cancelled."))
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if by is not None and not can_manage(by, item):
            raise PermissionDenied(_("You may not cancel this work."))
        item.state = WorkState.CANCELLED
        item.completed_at = now
        item.completed_by = by
        item.next_sweep_at = None
        item.save()
        _event(item, WorkItemEventKind.CANCEL, by, now, reason=reason)
        audit_record(
            action="workitem.cancel",
            actor=by,
            obj=item,
            from_state=WorkState.OPEN,
            to_state=WorkState.CANCELLED,
            comment=reason,
            now=now,
        )
    return item


def workitem_reassign(
    *, item: WorkItem, by, assignee=None, section=None, unit=None, reason: str = "", now=None
) -> WorkItem:
    now = now or timezone.now()
    if assignee is None and section is None and unit is None:
        raise TransitionError(_("Work must be given to a person, a section or a unit."))
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if not can_manage(by, item):
            raise PermissionDenied(_("You may not reassign this work."))
        before = {"assignee": item.assignee_id, "section": item.section_id, "unit": item.unit_id}
        item.assignee, item.section, item.unit = assignee, section, unit
        if section is not None and section.leader_in_charge_id:
            item.leader_id = section.leader_in_charge_id
        item.save()
        after = {"assignee": item.assignee_id, "section": item.section_id, "unit": item.unit_id}
        _event(item, WorkItemEventKind.REASSIGN, by, now, reason=reason)
        audit_record(
            action="workitem.reassign",
            actor=by,
            obj=item,
            comment=reason,
            now=now,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
        notify(
            recipients=_people_to_tell(item),
            title=_("New work: %(t)s") % {"t": item.title},
            body=reason,
            url=item.url,
            work_item=item,
            now=now,
        )
    return item


def workitem_pause(*, item: WorkItem, by, reason: str, now=None) -> WorkItem:
    """Stop the clock (e.g. a hearing in 复核, third-party consultation in disclosure)."""
    now = now or timezone.now()
    if not reason.strip():
        raise TransitionError(_("Say why the clock is stopped."))
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if item.rule is None or not item.rule.pausable:
            raise TransitionError(_("The time limit of this work cannot be paused."))
        if item.paused_at is not None:
            raise TransitionError(_("The clock of this work is already stopped."))
        if not can_manage(by, item):
            raise PermissionDenied(_("You may not stop the clock of this work."))
        item.paused_at = now
        item.save()
        _event(item, WorkItemEventKind.PAUSE, by, now, reason=reason, old_due=item.due_at)
        audit_record(action="workitem.pause", actor=by, obj=item, comment=reason, now=now)
    return item


def workitem_resume(*, item: WorkItem, by, now=None) -> WorkItem:
    """Restart the clock: the time it was stopped is added to the deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if item.paused_at is None:
            raise TransitionError(_("The clock of this work is not stopped."))
        if not can_manage(by, item):
            raise PermissionDenied(_("You may not restart the clock of this work."))
        old_due = item.due_at
        new_due = old_due + (now - item.paused_at) if old_due else None
        if item.due_basis is not None:
            item.due_basis["steps"].append(["pause", (now - item.paused_at).total_seconds()])
        item.paused_at = None
        _schedule(item, new_due, new_cycle=True)
        item.save()
        _event(item, WorkItemEventKind.RESUME, by, now, old_due=old_due, new_due=new_due)
        audit_record(
            action="workitem.resume",
            actor=by,
            obj=item,
            now=now,
            changes={"due_at": [_iso(old_due), _iso(new_due)]},
        )
    return item


def workitem_extend(*, item: WorkItem, by, amount: int, reason: str, now=None) -> WorkItem:
    """Extend the deadline within the rule's limits; a rule that needs approval needs a leader
    (e.g. 信访 handling: one extension of at most 30 days, approved by the head)."""
    now = now or timezone.now()
    if not reason.strip():
        raise TransitionError(_("Say why the deadline is extended."))
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        rule = item.rule
        if rule is None or rule.max_extensions == 0 or item.due_at is None:
            raise TransitionError(_("The time limit of this work cannot be extended."))
        if item.extensions >= rule.max_extensions:
            raise TransitionError(
                _("This work has used all %(n)d extension(s) its rule allows.")
                % {"n": rule.max_extensions}
            )
        if not 0 < amount <= rule.max_extension_amount:
            raise TransitionError(
                _("An extension may be at most %(n)d %(unit)s.")
                % {"n": rule.max_extension_amount, "unit": rule.get_unit_display()}
            )
        allowed = _is_leader(by) if rule.extension_needs_approval else can_manage(by, item)
        if not allowed:
            raise PermissionDenied(_("Only a leader may approve this extension."))
        old_due = item.due_at
        new_due = workcalendar.extend(rule, old_due, amount)
        if item.due_basis is not None:
            item.due_basis["steps"].append(["extend", amount])
            item.due_provisional |= workcalendar.period_is_provisional(old_due, new_due)
        item.extensions += 1
        _schedule(item, new_due, new_cycle=True)
        item.save()
        _event(
            item, WorkItemEventKind.EXTEND, by, now, reason=reason, old_due=old_due, new_due=new_due
        )
        audit_record(
            action="workitem.extend",
            actor=by,
            obj=item,
            comment=reason,
            now=now,
            changes={"due_at": [_iso(old_due), _iso(new_due)], "amount": amount},
        )
        notify(
            recipients=[*_people_to_tell(item), item.assigned_by],
            title=_("Deadline extended: %(t)s") % {"t": item.title},
            body=reason,
            url=item.url,
            work_item=item,
            now=now,
        )
    return item


def workitem_reschedule(
    *, item: WorkItem, due_at: dt.datetime, by=None, reason: str, now=None
) -> WorkItem:
    """Move the deadline of open work to `due_at`, outside any rule's extension limits: for an
    app whose own procedure decided the new date (e.g. a supervised task's extension approved
    by the leader in charge, DOMAIN.md §5.2). The ladder starts afresh for the new deadline (a
    new sweep cycle: reminder, overdue and escalations are reached again, once each). `by=None`
    is the system acting for that app's service, which has checked who decided; a person must
    be allowed to manage the item. Nobody is notified here: the app tells whom it must."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Say why the deadline is moved."))
    if not isinstance(due_at, dt.datetime):
        raise TransitionError(_("Give the new deadline."))
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if by is not None and not can_manage(by, item):
            raise PermissionDenied(_("You may not move the deadline of this work."))
        if item.paused_at is not None:
            raise TransitionError(_("The clock of this work is stopped; restart it first."))
        old_due = item.due_at
        if old_due == due_at:
            return item
        _schedule(item, due_at, new_cycle=True)
        # A date an app's procedure decided is not counted again when a year is confirmed.
        item.due_basis, item.due_provisional = None, False
        item.save()
        _record_move(item, "workitem.reschedule", by, now, reason, old_due, due_at)
    return item


def _record_move(item, action: str, by, now, reason: str, old_due, new_due) -> None:
    """A moved deadline on the item's history and in the audit trail."""
    _event(
        item, WorkItemEventKind.RESCHEDULE, by, now, reason=reason, old_due=old_due, new_due=new_due
    )
    audit_record(
        action=action,
        actor=by,
        obj=item,
        comment=reason,
        now=now,
        changes={"due_at": [_iso(old_due), _iso(new_due)]},
    )


def workitem_urge(*, item: WorkItem, by, message: str = "", now=None) -> WorkItem:
    """催办: a reminder sent by a person who may chase this work."""
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        _require_open(item)
        if not by.has_perm("office.urge_workitem") or not can_manage(by, item):
            raise PermissionDenied(_("You may not urge this work."))
        _event(item, WorkItemEventKind.URGE, by, now, reason=message)
        audit_record(action="workitem.urge", actor=by, obj=item, comment=message, now=now)
        notify(
            recipients=_people_to_tell(item),
            level=NotificationLevel.URGE,
            title=_("Urged: %(t)s") % {"t": item.title},
            body=message,
            url=item.url,
            work_item=item,
            now=now,
        )
    return item


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def recounted_due(item: WorkItem) -> dt.datetime | None:
    """The deadline counted again from `due_basis` on the calendar as it is now: the rule from
    the start, then each extension and stopped clock in the order they happened."""
    basis = item.due_basis
    if basis is None or item.rule is None:
        return None
    start = dt.datetime.fromisoformat(basis["start"])
    due = workcalendar.due_at(item.rule, start, amount=basis["amount"])
    for kind, value in basis.get("steps", []):
        if kind == "extend":
            due = workcalendar.extend(item.rule, due, int(value))
        elif kind == "pause":
            due += dt.timedelta(seconds=value)
    return due


def workitem_recount(*, item: WorkItem, reason: str, by=None, now=None) -> tuple[WorkItem, bool]:
    """Count a provisional deadline again after its year was confirmed or corrected (DOMAIN.md
    §4.2; the State Council's notice replaces the days the law alone gave). Returns the item and
    whether its deadline moved; a move restarts the ladder, is recorded and audited like any
    reschedule. Nobody is notified here: the calendar service tells each person once."""
    now = now or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        if item.state != WorkState.OPEN or item.due_basis is None:
            return item, False
        new_due = recounted_due(item)
        start = dt.datetime.fromisoformat(item.due_basis["start"])
        still = workcalendar.period_is_provisional(start, new_due)
        old_due = item.due_at
        if new_due == old_due:
            if item.due_provisional != still:
                item.due_provisional = still
                item.save(update_fields=["due_provisional"])
            return item, False
        if item.paused_at is not None:
            # The clock is stopped: only the date moves; resuming adds the stopped time to it.
            item.due_at = new_due
        else:
            _schedule(item, new_due, new_cycle=True)
        item.due_provisional = still
        item.save()
        _record_move(item, "workitem.recount", by, now, reason, old_due, new_due)
        due_moved.send(sender=WorkItem, item=item, old_due=old_due, new_due=new_due)
    return item, True
