"""Every state change of a supervised task (督办事项), one function per transition.

Each one locks the task row, checks the state against `TaskState`'s transition table and the
actor's permission, changes the rows, opens/closes work items through the spine, writes one
audit entry, and queues notifications in the same transaction (ARCHITECTURE.md, Services).
Other apps (a leader's instruction on an incoming document, a meeting decision) open tasks by
calling `task_open`.

Units outside the office (external departments, towns) often have no accounts: the supervision
section records their acknowledgement, reports and applications on their behalf, and the audit
entry says who did.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from office import workcalendar
from office.models import Section, Unit, Urgency, WorkAction, WorkItem, WorkKind, WorkState
from office.numbers import next_number
from office.roles import Role
from office.services import TransitionError
from office.services.audit import audit_record
from office.services.notify import notify
from office.services.workitems import (
    staff_of,
    workitem_cancel,
    workitem_complete,
    workitem_open,
    workitem_reschedule,
)

from . import dates
from .models import (
    OPEN_STATES,
    PROPOSAL_SOURCES,
    RUNNING_STATES,
    BoardVersion,
    ChaseLevel,
    CompletionReport,
    CompletionState,
    ExtensionState,
    Grade,
    HandlerRole,
    Milestone,
    ProgressReport,
    ReportAttachment,
    ReportingCycle,
    Satisfaction,
    SupervisionSource,
    SupervisionTask,
    TaskExtension,
    TaskHandler,
    TaskState,
    WrongAssignment,
    wrong_return_days,
)


# --- Numbers -------------------------------------------------------------------------------
def bump_board() -> None:
    """A new board version, in the caller's transaction: the board's cached figures
    (`supervision.board.figures`) are keyed by it, so a transition shows at once. Every
    transition calls it (through `_locked` and `task_open`)."""
    BoardVersion.bump()


def board_version() -> int:
    return BoardVersion.current()


# --- Who may do what -----------------------------------------------------------------------
def can_manage(user) -> bool:
    """The supervision section (督查科): assign, check, verify, close, chase."""
    return user is not None and user.has_perm("supervision.manage_supervisiontask")


def can_open(user) -> bool:
    return user is not None and user.has_perm("supervision.open_supervisiontask")


def is_leader(user) -> bool:
    return user is not None and user.groups.filter(name=Role.LEADER).exists()


def is_member(user, handler: TaskHandler) -> bool:
    """Staff of the handler's section or unit, or the section's head."""
    staff = staff_of(user)
    if staff is None:
        return False
    if handler.section_id:
        return staff.section_id == handler.section_id or (
            Section.objects.filter(pk=handler.section_id, head=staff).exists()
        )
    return staff.unit_id == handler.unit_id


def can_act_for(user, handler: TaskHandler) -> bool:
    """Members of the handler, or the supervision section recording for a unit without
    accounts (on behalf, audited as such)."""
    return is_member(user, handler) or can_manage(user)


def can_approve_extension(user, task: SupervisionTask) -> bool:
    if task.leader_id:
        return user.pk == task.leader_id
    return is_leader(user)


def _lead_handler(task: SupervisionTask) -> TaskHandler | None:
    return task.handlers.filter(role=HandlerRole.LEAD).select_related("section", "unit").first()


def handler_for(user, task: SupervisionTask) -> TaskHandler | None:
    """The handler `user` acts for: their own (lead first), else the lead when the supervision
    section records on a unit's behalf."""
    handlers = list(task.handlers.select_related("section", "unit"))
    handlers.sort(key=lambda h: h.role != HandlerRole.LEAD)
    for h in handlers:
        if is_member(user, h):
            return h
    if can_manage(user):
        return next((h for h in handlers if h.role == HandlerRole.LEAD), None)
    return None


# --- Helpers -------------------------------------------------------------------------------
def _locked(task: SupervisionTask) -> SupervisionTask:
    """Lock the task row for a transition; the board's figures change with it."""
    task = SupervisionTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    bump_board()
    return task


def _require_state(task: SupervisionTask, *states: str) -> None:
    if task.state not in states:
        raise TransitionError(
            _("This cannot be done while the task is %(state)s.")
            % {"state": task.get_state_display()}
        )


def _url(task) -> str:
    return task.get_absolute_url()


def _supervisors(task) -> list:
    if task.supervisor_id:
        return [task.supervisor]
    section = Section.objects.filter(code="supervision").select_related("head__user").first()
    if section is not None and section.head_id:
        return [section.head.user]
    return []


def _handler_people(handler: TaskHandler) -> list:
    """Whom to tell at a handler: the section's head, or the unit's staff."""
    from office.models import Staff

    if handler.section_id:
        section = handler.section
        return [section.head.user] if section.head_id else []
    return [s.user for s in Staff.objects.filter(unit_id=handler.unit_id).select_related("user")]


def _urgency(task) -> str:
    return Urgency.URGENT if task.urgent else Urgency.NORMAL


def _open_item(task, *, title: str, action: str, by, due_on=None, **kwargs) -> WorkItem:
    return workitem_open(
        title=title,
        kind=WorkKind.SUPERVISION,
        action=action,
        actor=by,
        subject=task,
        url=_url(task),
        urgency=_urgency(task),
        due_at=workcalendar.end_of_day(due_on) if due_on else None,
        leader=task.leader,
        assigned_by=by if getattr(by, "pk", None) else None,
        **kwargs,
    )


def _items(task, *, action: str | None = None):
    qs = WorkItem.objects.filter(
        content_type=ContentType.objects.get_for_model(SupervisionTask),
        object_id=task.pk,
        state=WorkState.OPEN,
    )
    return qs.filter(action=action) if action else qs


def _finish(items, *, by, outcome: str, now) -> None:
    for item in items:
        workitem_complete(item=item, by=by, outcome=outcome, authorised=True, now=now)


def _cancel(items, *, reason: str, now) -> None:
    for item in items:
        workitem_cancel(item=item, by=None, reason=reason, now=now)


def _clean_date(value, field: str) -> None:
    if value is not None and not isinstance(value, dt.date):
        raise ValidationError(_("Give a valid date for %(f)s.") % {"f": field})


def _handlers_list(sections: Iterable, units: Iterable, lead) -> list[Section | Unit]:
    out: list[Section | Unit] = []
    for h in [*sections, *units]:
        if h is not None and h != lead and h not in out:
            out.append(h)
    return out


# --- 立项 / 交办 ------------------------------------------------------------------------------
def task_open(
    *,
    by,
    title: str,
    requirements: str = "",
    source: str,
    source_object=None,
    source_reference: str = "",
    leader=None,
    supervisor=None,
    lead_section=None,
    lead_unit=None,
    assisting_sections=(),
    assisting_units=(),
    due_on: dt.date | None = None,
    urgent: bool = False,
    reporting_cycle: str = ReportingCycle.NONE,
    milestones: Iterable[tuple[str, dt.date]] = (),
    chase_start: int | None = None,
    now=None,
) -> SupervisionTask:
    """立项: register a supervised item from any source. With a lead and a deadline it is
    assigned (交办) in the same transaction. `by=None` is the system acting for another app.

    A suggestion or proposal (建议提案) without a deadline is due 3 months after receipt
    (`supervision.proposal` rule, DOMAIN.md §5.1)."""
    now = now or timezone.now()
    if by is not None and not can_open(by):
        raise PermissionDenied(_("You may not open supervised tasks."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the task a title."))
    if source not in SupervisionSource.values:
        raise ValidationError(_("Choose where the task comes from."))
    if lead_section is not None and lead_unit is not None:
        raise ValidationError(_("Choose one lead: a section or a unit."))
    _clean_date(due_on, _("deadline"))
    if due_on is not None and due_on < timezone.localdate(now):
        raise ValidationError(_("The deadline cannot be in the past."))
    if reporting_cycle not in ReportingCycle.values:
        raise ValidationError(_("Choose a reporting cycle."))
    lead = lead_section or lead_unit
    if due_on is None and lead is not None and source in PROPOSAL_SOURCES:
        from office.models import TimeLimitRule

        rule = TimeLimitRule.objects.filter(code="supervision.proposal").first()
        if rule is not None:
            due_on = (workcalendar.due_at(rule, now) - dt.timedelta(seconds=1)).date()
    if chase_start is None:
        chase_start = ChaseLevel.ORANGE if urgent else ChaseLevel.BLUE
    if chase_start not in (ChaseLevel.BLUE, ChaseLevel.ORANGE, ChaseLevel.RED):
        raise ValidationError(_("Choose the first chase slip."))
    if leader is not None and not is_leader(leader):
        raise ValidationError(_("The leader in charge must be a city leader."))
    year = timezone.localdate(now).year
    with transaction.atomic():
        task = SupervisionTask(
            number=f"督〔{year}〕{next_number('supervision:task', year)}号",
            title=title[:300],
            requirements=requirements.strip(),
            source=source,
            source_reference=source_reference.strip()[:200],
            leader=leader,
            supervisor=supervisor or (by if can_manage(by) else None),
            urgent=urgent,
            chase_start=chase_start,
            opened_by=by,
            opened_at=now,
            # Kept when there is no deadline yet: 交办 then needs only the date.
            lead_section=lead_section,
            lead_unit=lead_unit,
        )
        if source_object is not None:
            task.source_type = ContentType.objects.get_for_model(source_object)
            task.source_id = source_object.pk
        task.save()
        bump_board()
        audit_record(
            action="supervision.open",
            actor=by,
            obj=task,
            to_state=TaskState.OPENED,
            changes={"source": source, "source_reference": task.source_reference},
            now=now,
        )
        if lead is not None and due_on is not None:
            _assign(
                task,
                by=by,
                lead=lead,
                assisting=_handlers_list(assisting_sections, assisting_units, lead),
                due_on=due_on,
                reporting_cycle=reporting_cycle,
                milestones=milestones,
                now=now,
            )
        else:
            # Waiting for 交办: work for the supervision section.
            section = Section.objects.filter(code="supervision").first()
            if section is not None or task.supervisor_id:
                _open_item(
                    task,
                    title=_("To assign: %(t)s") % {"t": task.title},
                    action=WorkAction.OTHER,
                    by=by,
                    assignee=task.supervisor,
                    section=section,
                    now=now,
                )
    return task


def task_assign(
    *,
    task: SupervisionTask,
    by,
    lead_section=None,
    lead_unit=None,
    assisting_sections=(),
    assisting_units=(),
    due_on: dt.date | None,
    reporting_cycle: str = ReportingCycle.NONE,
    milestones: Iterable[tuple[str, dt.date]] = (),
    now=None,
) -> SupervisionTask:
    """交办: give an opened task to a lead section or unit (主办) and assisting ones (协办),
    with a final deadline, optionally milestones and a reporting cycle."""
    now = now or timezone.now()
    if not can_manage(by):
        raise PermissionDenied(_("Only the supervision section assigns supervised tasks."))
    if lead_section is None and lead_unit is None:
        lead_section, lead_unit = task.lead_section, task.lead_unit
    lead = lead_section or lead_unit
    if lead_section is not None and lead_unit is not None:
        raise ValidationError(_("Choose one lead: a section or a unit."))
    if lead is None:
        raise ValidationError(_("Choose the lead section or unit (主办)."))
    if due_on is None:
        raise ValidationError(_("Give the final deadline."))
    _clean_date(due_on, _("deadline"))
    if due_on < timezone.localdate(now):
        raise ValidationError(_("The deadline cannot be in the past."))
    if reporting_cycle not in ReportingCycle.values:
        raise ValidationError(_("Choose a reporting cycle."))
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.OPENED)
        _finish(_items(task, action=WorkAction.OTHER), by=by, outcome=_("assigned"), now=now)
        _assign(
            task,
            by=by,
            lead=lead,
            assisting=_handlers_list(assisting_sections, assisting_units, lead),
            due_on=due_on,
            reporting_cycle=reporting_cycle,
            milestones=milestones,
            now=now,
        )
    return task


def _assign(task, *, by, lead, assisting, due_on, reporting_cycle, milestones, now) -> None:
    milestones = [(t.strip(), d) for t, d in milestones if t and t.strip() and d]
    for _title, day in milestones:
        _clean_date(day, _("milestone"))
        if day > due_on:
            raise ValidationError(_("A milestone cannot be later than the final deadline."))
    before = task.state
    task.lead_section = lead if isinstance(lead, Section) else None
    task.lead_unit = lead if isinstance(lead, Unit) else None
    task.due_on = task.original_due_on = due_on
    task.reporting_cycle = reporting_cycle
    task.next_report_on = dates.next_report_on(reporting_cycle, timezone.localdate(now), due_on)
    task.state = TaskState.ASSIGNED
    task.assigned_at = now
    task.save()
    # Handlers kept from an earlier assignment (a lead that returned the task as wrongly
    # assigned leaves the assisting units in place): kept, or given their new role.
    existing = {(h.section_id, h.unit_id): h for h in task.handlers.select_related("work_item")}
    for role, handler in [(HandlerRole.LEAD, lead), *((HandlerRole.ASSIST, a) for a in assisting)]:
        is_section = isinstance(handler, Section)
        key = (handler.pk, None) if is_section else (None, handler.pk)
        row = existing.get(key)
        if row is not None and row.role == role:
            continue
        if row is not None:
            if row.work_item and row.work_item.state == WorkState.OPEN:
                workitem_cancel(item=row.work_item, by=None, reason=_("Assigned anew"), now=now)
            row.role = role
        else:
            row = TaskHandler(
                task=task,
                section=handler if is_section else None,
                unit=None if is_section else handler,
                role=role,
            )
        label = (
            _("Supervised (lead): %(t)s")
            if role == HandlerRole.LEAD
            else _("Supervised (assisting): %(t)s")
        )
        item_due, action = due_on, WorkAction.HANDLE
        if role == HandlerRole.ASSIST and task.source in PROPOSAL_SOURCES:
            # 建议提案: a co-handler gives its view to the lead within one month (§5.1); the
            # view is its progress report (`report_submit` completes this item).
            item_due = min(due_on, _months_after(timezone.localdate(now), 1))
            label, action = _("Give your view to the lead unit: %(t)s"), WorkAction.REPLY
        row.work_item = _open_item(
            task,
            title=label % {"t": task.title},
            action=action,
            by=by,
            due_on=item_due,
            section=row.section,
            unit=row.unit,
            now=now,
        )
        row.save()
        if role == HandlerRole.LEAD and task.next_report_on:
            _open_report_item(task, row, by=by, now=now)
    Milestone.objects.bulk_create([Milestone(task=task, title=t, due_on=d) for t, d in milestones])
    audit_record(
        action="supervision.assign",
        actor=by,
        obj=task,
        from_state=before,
        to_state=task.state,
        changes={
            "lead": str(lead),
            "assisting": [str(a) for a in assisting],
            "due_on": due_on.isoformat(),
            "reporting_cycle": reporting_cycle,
            "milestones": [[t, d.isoformat()] for t, d in milestones],
        },
        now=now,
    )


def _open_report_item(task, handler, *, by, now) -> None:
    _open_item(
        task,
        title=_("Progress report due: %(t)s") % {"t": task.title},
        action=WorkAction.REPORT,
        by=by,
        due_on=task.next_report_on,
        section=handler.section,
        unit=handler.unit,
        notify_people=False,
        now=now,
    )


def task_acknowledge(*, task: SupervisionTask, by, handler: TaskHandler | None = None, now=None):
    """签收: a handler acknowledges the task; the lead's acknowledgement starts the work."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.ASSIGNED, TaskState.IN_PROGRESS)
        handler = handler or handler_for(by, task)
        if handler is None or handler.task_id != task.pk or not can_act_for(by, handler):
            raise PermissionDenied(_("Only the units the task is given to acknowledge it."))
        handler = TaskHandler.objects.select_for_update().get(pk=handler.pk)
        if handler.acknowledged_at is not None:
            raise TransitionError(_("This has already been acknowledged."))
        handler.acknowledged_at = now
        handler.acknowledged_by = by
        handler.save(update_fields=["acknowledged_at", "acknowledged_by"])
        before = task.state
        if handler.role == HandlerRole.LEAD:
            task.state = TaskState.IN_PROGRESS
            task.acknowledged_at = now
            task.save(update_fields=["state", "acknowledged_at"])
        audit_record(
            action="supervision.acknowledge",
            actor=by,
            obj=task,
            from_state=before,
            to_state=task.state,
            changes={"handler": str(handler.handler), "on_behalf": not is_member(by, handler)},
            now=now,
        )
        notify(
            recipients=_supervisors(task),
            title=_("Acknowledged by %(h)s: %(t)s") % {"h": handler.handler, "t": task.title},
            url=_url(task),
            now=now,
        )
    return task


# --- 反馈 ---------------------------------------------------------------------------------------
def report_submit(
    *,
    task: SupervisionTask,
    by,
    text: str,
    files: Iterable = (),
    milestone: Milestone | None = None,
    handler: TaskHandler | None = None,
    now=None,
) -> ProgressReport:
    """进展反馈: text and attachments. The lead's report answers the report due now (its work
    item closes, late or not) and opens the next one on the cycle."""
    from django.core.files.base import ContentFile

    from office.files import check_upload, stored_name

    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write what has been done."))
    files = [f for f in files if f]
    checked = [(f, check_upload(f)) for f in files]
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.IN_PROGRESS)
        handler = handler or handler_for(by, task)
        if handler is None or handler.task_id != task.pk or not can_act_for(by, handler):
            raise PermissionDenied(_("Only the units the task is given to report progress."))
        if milestone is not None and milestone.task_id != task.pk:
            raise ValidationError(_("That milestone belongs to another task."))
        today = timezone.localdate(now)
        report = ProgressReport.objects.create(
            task=task,
            handler=handler,
            text=text,
            milestone=milestone,
            author=by,
            submitted_at=now,
            for_report_on=task.next_report_on if handler.role == HandlerRole.LEAD else None,
            late=bool(
                handler.role == HandlerRole.LEAD
                and task.next_report_on
                and today > task.next_report_on
            ),
        )
        for upload, info in checked:
            data = upload.read()
            attachment = ReportAttachment(
                report=report,
                original_name=info.safe_name,
                content_type=info.content_type,
                size=info.size,
                sha256=hashlib.sha256(data).hexdigest(),
            )
            attachment.file.save(stored_name(info.extension), ContentFile(data), save=False)
            attachment.save()
        if milestone is not None and milestone.reached_at is None:
            Milestone.objects.filter(pk=milestone.pk).update(reached_at=now)
        view = handler.work_item if handler.role == HandlerRole.ASSIST else None
        if view is not None and view.state == WorkState.OPEN and view.action == WorkAction.REPLY:
            # 建议提案: the co-handler's view reaches the lead unit (DOMAIN.md §5.1: within a
            # month); its work item is done, on time or late as the spine's register shows.
            workitem_complete(item=view, by=by, outcome=text[:200], authorised=True, now=now)
            lead = _lead_handler(task)
            if lead is not None:
                notify(
                    recipients=_handler_people(lead),
                    title=_("View from %(h)s: %(t)s") % {"h": handler.handler, "t": task.title},
                    body=text[:500],
                    url=_url(task),
                    now=now,
                )
        task.last_report_at = now
        fields = ["last_report_at"]
        if handler.role == HandlerRole.LEAD and task.next_report_on:
            _finish(_items(task, action=WorkAction.REPORT), by=by, outcome=text[:200], now=now)
            task.next_report_on = dates.next_report_on(
                task.reporting_cycle, max(today, task.next_report_on), task.due_on
            )
            fields.append("next_report_on")
            if task.next_report_on:
                _open_report_item(task, handler, by=None, now=now)
        task.save(update_fields=fields)
        audit_record(
            action="supervision.report",
            actor=by,
            obj=task,
            comment=text,
            changes={
                "handler": str(handler.handler),
                "files": [info.safe_name for _u, info in checked],
                "late": report.late,
                "on_behalf": not is_member(by, handler),
            },
            now=now,
        )
        notify(
            recipients=_supervisors(task),
            title=_("Progress from %(h)s: %(t)s") % {"h": handler.handler, "t": task.title},
            body=text[:500],
            url=_url(task),
            now=now,
        )
    return report


# --- 延期 -------------------------------------------------------------------------------------
def extension_apply(
    *, task: SupervisionTask, by, new_due_on: dt.date, reason: str, progress: str, now=None
) -> TaskExtension:
    """延期申请: only before the deadline, with reason, new date and progress (DOMAIN.md §5.2)."""
    now = now or timezone.now()
    reason, progress = (reason or "").strip(), (progress or "").strip()
    if not reason:
        raise ValidationError(_("Say why more time is needed."))
    if not progress:
        raise ValidationError(_("Say what has been done so far."))
    _clean_date(new_due_on, _("new deadline"))
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, *RUNNING_STATES)
        lead = _lead_handler(task)
        if lead is None or not can_act_for(by, lead):
            raise PermissionDenied(_("Only the lead unit applies for an extension."))
        today = timezone.localdate(now)
        if today > task.due_on:
            raise TransitionError(
                _("An extension must be applied for before the deadline (%(d)s).")
                % {"d": task.due_on.isoformat()}
            )
        if new_due_on is None or new_due_on <= task.due_on:
            raise ValidationError(_("The new deadline must be later than the current one."))
        if task.extensions.filter(
            state__in=[ExtensionState.PENDING_CHECK, ExtensionState.PENDING_APPROVAL]
        ).exists():
            raise TransitionError(_("An extension request is already waiting."))
        if task.source in PROPOSAL_SOURCES:
            # 建议提案: one extension, of at most one month (DOMAIN.md §5.1).
            if task.extensions.filter(state=ExtensionState.APPROVED).exists():
                raise TransitionError(_("A suggestion or proposal may be extended only once."))
            limit = _months_after(task.due_on, 1)
            if new_due_on > limit:
                raise ValidationError(
                    _("A suggestion or proposal may be extended by one month at most (%(d)s).")
                    % {"d": limit.isoformat()}
                )
        extension = TaskExtension.objects.create(
            task=task,
            requested_by=by,
            requested_at=now,
            reason=reason,
            progress=progress,
            old_due_on=task.due_on,
            new_due_on=new_due_on,
        )
        section = Section.objects.filter(code="supervision").first()
        _open_item(
            task,
            title=_("Check the extension request: %(t)s") % {"t": task.title},
            action=WorkAction.REVIEW,
            by=by,
            assignee=task.supervisor,
            section=section if task.supervisor_id is None else None,
            notify_people=True,
            now=now,
        )
        audit_record(
            action="supervision.extension_apply",
            actor=by,
            obj=task,
            comment=reason,
            changes={"new_due_on": new_due_on.isoformat(), "old_due_on": task.due_on.isoformat()},
            now=now,
        )
    return extension


def _months_after(day: dt.date, n: int) -> dt.date:
    """The same day `n` months later (or that month's last day); no calendar needed."""
    import calendar as _cal

    index = day.month - 1 + n
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def _locked_extension(extension: TaskExtension) -> tuple[SupervisionTask, TaskExtension]:
    task = _locked(extension.task)
    return task, TaskExtension.objects.select_for_update().get(pk=extension.pk)


def extension_check(
    *, extension: TaskExtension, by, approve: bool, note: str = "", now=None
) -> TaskExtension:
    """The supervisor's first check: pass it to the leader, or reject it with a reason."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not can_manage(by):
        raise PermissionDenied(_("Only the supervision section checks extension requests."))
    if not approve and not note:
        raise ValidationError(_("Say why the request is rejected."))
    with transaction.atomic():
        task, extension = _locked_extension(extension)
        if extension.state != ExtensionState.PENDING_CHECK:
            raise TransitionError(_("This extension request is not waiting for a check."))
        _require_state(task, *RUNNING_STATES)
        extension.checked_by, extension.checked_at, extension.check_note = by, now, note
        extension.state = ExtensionState.PENDING_APPROVAL if approve else ExtensionState.REJECTED
        extension.save()
        _finish(_items(task, action=WorkAction.REVIEW), by=by, outcome=note, now=now)
        if approve:
            leaders = [task.leader] if task.leader_id else []
            _open_item(
                task,
                title=_("Approve the extension: %(t)s") % {"t": task.title},
                action=WorkAction.APPROVE,
                by=by,
                assignee=task.leader,
                section=Section.objects.filter(code="supervision").first() if not leaders else None,
                now=now,
            )
        else:
            notify(
                recipients=[extension.requested_by],
                title=_("Extension rejected: %(t)s") % {"t": task.title},
                body=note,
                url=_url(task),
                now=now,
            )
        audit_record(
            action="supervision.extension_check",
            actor=by,
            obj=task,
            comment=note,
            changes={"extension": extension.pk, "state": extension.state},
            now=now,
        )
    return extension


def extension_decide(
    *, extension: TaskExtension, by, approve: bool, note: str = "", now=None
) -> TaskExtension:
    """The leader in charge approves (the deadline moves; the units' work items follow) or
    rejects."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(_("Say why the request is rejected."))
    with transaction.atomic():
        task, extension = _locked_extension(extension)
        if not can_approve_extension(by, task):
            raise PermissionDenied(_("Only the leader in charge approves an extension."))
        if extension.state != ExtensionState.PENDING_APPROVAL:
            raise TransitionError(_("This extension request is not waiting for approval."))
        _require_state(task, *RUNNING_STATES)
        extension.decided_by, extension.decided_at, extension.decision_note = by, now, note
        extension.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
        extension.save()
        _finish(_items(task, action=WorkAction.APPROVE), by=by, outcome=note, now=now)
        changes: dict = {"extension": extension.pk, "state": extension.state}
        if approve:
            old = task.due_on
            task.due_on = extension.new_due_on
            new_report = task.next_report_on is None
            if new_report:
                task.next_report_on = dates.next_report_on(
                    task.reporting_cycle, timezone.localdate(now), task.due_on
                )
            if task.chase_respond_by == old:
                task.chase_respond_by = task.due_on  # an urgent task's orange slip named it
            task.save(update_fields=["due_on", "next_report_on", "chase_respond_by"])
            # The units' work items keep their history: the spine moves their deadline and
            # starts their ladder afresh (a co-handler's one-month view keeps its own date
            # unless the old deadline capped it).
            reason = _("Deadline extended to %(d)s") % {"d": task.due_on.isoformat()}
            old_end = workcalendar.end_of_day(old)
            for handler in task.handlers.select_related("section", "unit", "work_item"):
                item = handler.work_item
                if item is None or item.state != WorkState.OPEN:
                    continue
                if handler.role == HandlerRole.LEAD or item.due_at == old_end:
                    workitem_reschedule(
                        item=item,
                        due_at=workcalendar.end_of_day(task.due_on),
                        by=None,
                        reason=reason,
                        now=now,
                    )
                if handler.role == HandlerRole.LEAD and new_report and task.next_report_on:
                    _open_report_item(task, handler, by=None, now=now)
            changes["due_on"] = [old.isoformat(), task.due_on.isoformat()]
        audit_record(
            action="supervision.extension_decide",
            actor=by,
            obj=task,
            comment=note,
            changes=changes,
            now=now,
        )
        notify(
            recipients=[extension.requested_by, *_supervisors(task)],
            title=(_("Extension approved: %(t)s") if approve else _("Extension rejected: %(t)s"))
            % {"t": task.title},
            body=note,
            url=_url(task),
            now=now,
        )
    return extension


# --- 办结 / 销号 ---------------------------------------------------------------------------------
def completion_submit(*, task: SupervisionTask, by, text: str, now=None) -> CompletionReport:
    """办结报告: the lead unit reports the work done; the supervisor verifies it."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the completion report."))
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.IN_PROGRESS)
        lead = _lead_handler(task)
        if lead is None or not can_act_for(by, lead):
            raise PermissionDenied(_("Only the lead unit submits the completion report."))
        report = CompletionReport.objects.create(
            task=task, text=text, submitted_by=by, submitted_at=now
        )
        task.state = TaskState.REVIEWING
        task.save(update_fields=["state"])
        section = Section.objects.filter(code="supervision").first()
        _open_item(
            task,
            title=_("Verify the completion: %(t)s") % {"t": task.title},
            action=WorkAction.REVIEW,
            by=by,
            assignee=task.supervisor,
            section=section if task.supervisor_id is None else None,
            now=now,
        )
        audit_record(
            action="supervision.completion_submit",
            actor=by,
            obj=task,
            from_state=TaskState.IN_PROGRESS,
            to_state=TaskState.REVIEWING,
            comment=text,
            now=now,
        )
    return report


def completion_review(
    *,
    report: CompletionReport,
    by,
    accept: bool,
    note: str = "",
    grade: str = "",
    now=None,
) -> CompletionReport:
    """审核: the supervisor verifies and closes (销号), or returns the report with a reason.
    A suggestion or proposal is graded A/B/C/D at closing (DOMAIN.md §5.1)."""
    now = now or timezone.now()
    note = (note or "").strip()
    if not can_manage(by):
        raise PermissionDenied(_("Only the supervision section verifies completions."))
    if not accept and not note:
        raise ValidationError(_("Say why the report is returned."))
    if grade and grade not in Grade.values:
        raise ValidationError(_("Choose a grade A, B, C or D."))
    with transaction.atomic():
        task = _locked(report.task)
        report = CompletionReport.objects.select_for_update().get(pk=report.pk)
        if report.state != CompletionState.PENDING:
            raise TransitionError(_("This completion report has already been reviewed."))
        _require_state(task, TaskState.REVIEWING)
        if accept and task.source in PROPOSAL_SOURCES and not grade:
            raise ValidationError(_("Grade the reply to the suggestion or proposal (A–D)."))
        report.state = CompletionState.ACCEPTED if accept else CompletionState.RETURNED
        report.reviewed_by, report.reviewed_at, report.review_note = by, now, note
        report.save()
        _finish(_items(task, action=WorkAction.REVIEW), by=by, outcome=note, now=now)
        if accept:
            task.state = TaskState.CLOSED
            task.closed_at, task.closed_by = now, by
            task.on_time = timezone.localdate(report.submitted_at) <= task.due_on
            task.grade = grade
            task.next_report_on = None
            _finish(_items(task), by=by, outcome=_("closed"), now=now)
        else:
            task.state = TaskState.IN_PROGRESS
        task.save()
        audit_record(
            action="supervision.close" if accept else "supervision.return",
            actor=by,
            obj=task,
            from_state=TaskState.REVIEWING,
            to_state=task.state,
            comment=note,
            changes={"grade": grade} if grade else None,
            now=now,
        )
        notify(
            recipients=[report.submitted_by],
            title=(_("Closed: %(t)s") if accept else _("Completion returned: %(t)s"))
            % {"t": task.title},
            body=note,
            url=_url(task),
            now=now,
        )
    return report


def task_cancel(*, task: SupervisionTask, by, reason: str, now=None) -> SupervisionTask:
    """Withdraw a task that is no longer needed (never deleted; the reason is kept)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not can_manage(by):
        raise PermissionDenied(_("Only the supervision section cancels supervised tasks."))
    if not reason:
        raise ValidationError(_("Say why the task is cancelled."))
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, TaskState.OPENED, TaskState.ASSIGNED)
        before = task.state
        task.state = TaskState.CANCELLED
        task.cancel_reason = reason
        task.next_report_on = None
        task.save()
        _cancel(_items(task), reason=reason, now=now)
        audit_record(
            action="supervision.cancel",
            actor=by,
            obj=task,
            from_state=before,
            to_state=task.state,
            comment=reason,
            now=now,
        )
    return task


def task_urge(*, task: SupervisionTask, by, message: str = "", now=None) -> SupervisionTask:
    """催办 by hand: a reminder to the handlers, without a slip."""
    now = now or timezone.now()
    if not can_manage(by):
        raise PermissionDenied(_("Only the supervision section chases supervised tasks."))
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, *RUNNING_STATES)
        people = []
        for h in task.handlers.select_related("section__head__user", "unit"):
            people += _handler_people(h)
        audit_record(action="supervision.urge", actor=by, obj=task, comment=message, now=now)
        from office.models import NotificationLevel

        notify(
            recipients=people,
            level=NotificationLevel.URGE,
            title=_("Urged: %(t)s") % {"t": task.title},
            body=message,
            url=_url(task),
            now=now,
        )
    return task


# --- 建议提案: wrongly received, contact and satisfaction ----------------------------------------
def return_deadline(task: SupervisionTask, handler: TaskHandler) -> dt.date:
    """The last day `handler` may return a suggestion or proposal as wrongly assigned: 10 days
    after it received it (DOMAIN.md §5.1; the day of receipt not counted, 民法典 第二百零一条).
    Received: when its work item was opened at 交办."""
    received = handler.work_item.started_at if handler.work_item_id else task.assigned_at
    return timezone.localdate(received) + dt.timedelta(days=wrong_return_days())


def task_return_wrong(
    *, task: SupervisionTask, by, reason: str, handler: TaskHandler | None = None, now=None
) -> WrongAssignment:
    """退回: a unit that received a deputy's suggestion or a CPPCC proposal that is not its
    business says so, with a reason, within 10 days of receipt (DOMAIN.md §5.1). The lead's
    return sends the task back to the supervision section for re-assignment (opened again,
    assisting units kept); an assisting unit's return takes it off the task. Refused once the
    unit has reported progress (it took the work on) or after the time allowed."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the task is not your unit's business."))
    with transaction.atomic():
        task = _locked(task)
        _require_state(task, *RUNNING_STATES)
        if task.source not in PROPOSAL_SOURCES:
            raise TransitionError(
                _(
                    "Only a deputy's suggestion or a CPPCC proposal is returned as wrongly "
                    "assigned; ask the supervision section about other tasks."
                )
            )
        handler = handler or handler_for(by, task)
        if handler is None or handler.task_id != task.pk or not can_act_for(by, handler):
            raise PermissionDenied(_("Only a unit the task is given to may return it."))
        handler = (
            TaskHandler.objects.select_for_update(of=("self",))
            .select_related("work_item", "section", "unit")
            .get(pk=handler.pk)
        )
        last_day = return_deadline(task, handler)
        if timezone.localdate(now) > last_day:
            raise TransitionError(
                _(
                    "A wrongly assigned suggestion or proposal must be returned within %(n)d "
                    "days of receipt (by %(d)s); that time has passed. Ask the supervision "
                    "section."
                )
                % {"n": wrong_return_days(), "d": last_day.isoformat()}
            )
        if handler.reports.exists():
            raise TransitionError(
                _(
                    "This unit has already reported progress on the task; it can no longer be "
                    "returned as wrongly assigned."
                )
            )
        is_lead = handler.role == HandlerRole.LEAD
        if (
            is_lead
            and task.extensions.filter(
                state__in=[ExtensionState.PENDING_CHECK, ExtensionState.PENDING_APPROVAL]
            ).exists()
        ):
            raise TransitionError(_("An extension request is waiting; it must be decided first."))
        record = WrongAssignment.objects.create(
            task=task,
            section=handler.section,
            unit=handler.unit,
            role=handler.role,
            reason=reason,
            returned_by=by,
            returned_at=now,
            assigned_at=handler.work_item.started_at if handler.work_item_id else task.assigned_at,
        )
        name = str(handler.handler)
        item = handler.work_item
        if item is not None and item.state == WorkState.OPEN:
            workitem_cancel(item=item, by=None, reason=reason, now=now)
        handler.delete()
        before = task.state
        if is_lead:
            _cancel(_items(task, action=WorkAction.REPORT), reason=reason, now=now)
            task.state = TaskState.OPENED
            task.lead_section = task.lead_unit = None
            task.next_report_on = None
            task.assigned_at = task.acknowledged_at = None
            task.save()
            section = Section.objects.filter(code="supervision").first()
            _open_item(
                task,
                title=_("To re-assign (returned by %(h)s): %(t)s") % {"h": name, "t": task.title},
                action=WorkAction.OTHER,
                by=None,
                assignee=task.supervisor,
                section=section if task.supervisor_id is None else None,
                now=now,
            )
        audit_record(
            action="supervision.return_wrong",
            actor=by,
            obj=task,
            from_state=before,
            to_state=task.state,
            comment=reason,
            changes={"handler": name, "role": record.role, "on_behalf": not is_member(by, handler)},
            now=now,
        )
        notify(
            recipients=_supervisors(task),
            title=_("Returned as wrongly assigned by %(h)s: %(t)s") % {"h": name, "t": task.title},
            body=reason,
            url=_url(task),
            now=now,
        )
    return record


def proposal_record(
    *,
    task: SupervisionTask,
    by,
    contacted_on: dt.date | None = None,
    satisfaction: str = "",
    now=None,
) -> SupervisionTask:
    """建议提案: record the day the lead unit contacted the deputy or member, and — once the
    reply is made (closed) — their satisfaction with it (DOMAIN.md §5.1: contact 100 %, reply
    100 %, satisfaction as close to 100 % as possible). The lead unit or the supervision
    section records it."""
    now = now or timezone.now()
    _clean_date(contacted_on, _("date of contact"))
    if satisfaction and satisfaction not in Satisfaction.values:
        raise ValidationError(_("Choose how satisfied the deputy or member is."))
    if contacted_on is None and not satisfaction:
        raise ValidationError(_("Give the date of contact or the satisfaction."))
    with transaction.atomic():
        task = _locked(task)
        if task.source not in PROPOSAL_SOURCES:
            raise TransitionError(_("Only a suggestion or proposal has a deputy or member."))
        _require_state(task, TaskState.IN_PROGRESS, TaskState.REVIEWING, TaskState.CLOSED)
        lead = _lead_handler(task)
        if not (can_manage(by) or (lead is not None and is_member(by, lead))):
            raise PermissionDenied(_("Only the lead unit or the supervision section records this."))
        changes: dict = {}
        if contacted_on is not None:
            if contacted_on > timezone.localdate(now):
                raise ValidationError(_("The date of contact cannot be in the future."))
            changes["contacted_on"] = [_iso(task.contacted_on), contacted_on.isoformat()]
            task.contacted_on = contacted_on
        if satisfaction:
            if task.state != TaskState.CLOSED:
                raise TransitionError(_("Satisfaction is recorded once the reply is made."))
            changes["satisfaction"] = [task.satisfaction, satisfaction]
            task.satisfaction = satisfaction
        task.save(update_fields=["contacted_on", "satisfaction"])
        audit_record(
            action="supervision.proposal_record", actor=by, obj=task, changes=changes, now=now
        )
    return task


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


__all__ = [
    "OPEN_STATES",
    "bump_board",
    "can_act_for",
    "can_approve_extension",
    "can_manage",
    "can_open",
    "completion_review",
    "completion_submit",
    "extension_apply",
    "extension_check",
    "extension_decide",
    "handler_for",
    "proposal_record",
    "report_submit",
    "task_acknowledge",
    "task_assign",
    "task_cancel",
    "task_open",
    "task_return_wrong",
    "task_urge",
]


# --- From a leader's instruction on an incoming document -------------------------------------
def task_open_from_instruction(
    *, by, instruction, due_on: dt.date | None = None, now=None
) -> SupervisionTask:
    """督办 with one click from a leader's instruction (批示) on an incoming document: the
    document is the source, the instruction's text the requirements, its signer the leader in
    charge, its 主办/协办 and deadline the assignment. One open task per document: the document
    row is locked while checking, so two clicks make one task."""
    from documents.models import HandlingRole, IncomingDocument

    now = now or timezone.now()
    if not can_open(by):
        raise PermissionDenied(_("You may not open supervised tasks."))
    with transaction.atomic():
        document = IncomingDocument.objects.select_for_update().get(pk=instruction.document_id)
        if SupervisionTask.objects.for_source(document).filter(state__in=OPEN_STATES).exists():
            raise TransitionError(_("This document is already under supervision."))
        handlings = list(
            document.handlings.filter(instruction=instruction)
            .select_related("section", "unit")
            .order_by("pk")
        )
        lead = next((h for h in handlings if h.role == HandlingRole.LEAD), None)
        assist = [h for h in handlings if h.role != HandlingRole.LEAD]
        if due_on is None and instruction.due_at is not None:
            due_on = (timezone.localtime(instruction.due_at) - dt.timedelta(microseconds=1)).date()
        if due_on is not None and due_on < timezone.localdate(now):
            due_on = None  # a deadline already past: the supervision section sets a new one
        return task_open(
            by=by,
            title=document.title,
            requirements=instruction.text,
            source=SupervisionSource.INSTRUCTION,
            source_object=document,
            source_reference=document.registration_number,
            leader=instruction.leader if is_leader(instruction.leader) else None,
            lead_section=lead.section if lead else None,
            lead_unit=lead.unit if lead else None,
            assisting_sections=[h.section for h in assist if h.section_id],
            assisting_units=[h.unit for h in assist if h.unit_id],
            due_on=due_on,
            urgent=document.urgency != "normal",
            now=now,
        )
