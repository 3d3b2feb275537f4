"""Every state change of an incoming document (收文), one function per transition.

Each one locks the document row, checks the state against `IncomingState`'s transition table and
the actor's permission, changes the rows, opens/closes work items through the spine, and writes one
audit entry; notifications go to the outbox in the same transaction (ARCHITECTURE.md, Services).
The steps are those of 党政机关公文处理工作条例 第二十四条 (DOMAIN.md §1.4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from office import classification, search, workcalendar
from office.models import (
    URGENCY_PRIORITY,
    Section,
    Unit,
    Urgency,
    WorkAction,
    WorkItem,
    WorkKind,
    WorkState,
)
from office.numbers import next_number
from office.roles import Role
from office.services import TransitionError
from office.services.audit import audit_record
from office.services.notify import notify
from office.services.workitems import (
    _people_to_tell,
    staff_of,
    workitem_cancel,
    workitem_complete,
    workitem_extend,
    workitem_open,
)

from .models import (
    AccessReason,
    Attachment,
    Circulation,
    ExtensionRequest,
    ExtensionState,
    Handling,
    HandlingRole,
    HandlingState,
    IncomingAccess,
    IncomingDocument,
    IncomingState,
    Instruction,
    Marking,
    ProgressNote,
    Retention,
    Routing,
    grantee_keys,
)
from .transitions import INCOMING

REGISTRATION_PREFIX_DEFAULT = "收文"

ALREADY_HANDLED = gettext_lazy(
    "This document has already been handled by someone else; reload the page."
)


# --- Numbers ------------------------------------------------------------------------------
def registration_number(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}〔{year}〕{serial}号"


# --- Access ---------------------------------------------------------------------------------
def _grant(document, reason: str, now, *, users=(), sections=(), units=()) -> None:
    """Open the document to these people, sections and units: their IncomingAccess rows, then
    the document's `grantees` (what visible_to reads) rebuilt from all its rows, in the same
    transaction. The document row is locked first, so two grants at once cannot each write a
    list that misses the other's keys."""
    rows = [IncomingAccess(document=document, user=u, reason=reason, granted_at=now) for u in users]
    rows += [
        IncomingAccess(document=document, section=s, reason=reason, granted_at=now)
        for s in sections
    ]
    rows += [
        IncomingAccess(document=document, unit=u, reason=reason, granted_at=now) for u in units
    ]
    if not rows:
        return
    IncomingDocument.objects.select_for_update().filter(pk=document.pk).values("pk").first()
    IncomingAccess.objects.bulk_create(rows, ignore_conflicts=True)
    sync_grantees(document)


def sync_grantees(document) -> str:
    """Rebuild `document.grantees` from its IncomingAccess rows (the caller holds the row lock
    or is the transaction that created the document)."""
    grants = document.access.values_list("user_id", "section_id", "unit_id")
    keys = grantee_keys(document.marking, grants)
    if keys != document.grantees:
        IncomingDocument.objects.filter(pk=document.pk).update(grantees=keys)
        document.grantees = keys
    return keys


def _restricted_grant_people(document, reason: str, now, *, sections=(), units=()) -> list:
    """A restricted document counts only people (知悉范围): routing it to a section or unit names
    its active members explicitly, and the audit entry lists them."""
    from office.models import Staff

    staff = Staff.objects.filter(
        Q(section__in=list(sections)) | Q(unit__in=list(units)), user__is_active=True
    ).select_related("user")
    people = [s.user for s in staff]
    _grant(document, reason, now, users=people)
    return people


def can_see(user, document: IncomingDocument) -> bool:
    return IncomingDocument.objects.visible_to(user).filter(pk=document.pk).exists()


def _has_role(user, role: str) -> bool:
    return user.groups.filter(name=role).exists()


def _require(user, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _locked(document: IncomingDocument) -> IncomingDocument:
    return IncomingDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)


def _url(document) -> str:
    return document.get_absolute_url()


def _reindex(document: IncomingDocument) -> None:
    texts = list(document.instructions.values_list("text", flat=True)) if document.pk else []
    document.search_text = search.index_text(
        document.title,
        document.sender_name,
        document.sender_reference,
        document.registration_number,
        document.proposal,
        *texts,
    )


def _finish(item: WorkItem | None, *, by, outcome: str, now) -> None:
    """Close the work item of a step the caller's service has just checked and done."""
    if item is not None and item.state == WorkState.OPEN:
        workitem_complete(item=item, by=by, outcome=outcome, authorised=True, now=now)


def _open_item(document, **kwargs) -> WorkItem:
    return workitem_open(
        kind=WorkKind.DOCUMENT,
        subject=document,
        url=_url(document),
        urgency=document.urgency,
        **kwargs,
    )


def _item_for(document, *, action: str, assignee=None) -> WorkItem | None:
    qs = WorkItem.objects.filter(
        content_type__app_label="documents",
        content_type__model="incomingdocument",
        object_id=document.pk,
        state=WorkState.OPEN,
        action=action,
    )
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs.first()


def _present_rule(document) -> str | None:
    """随到随呈 (限时办结制, DOMAIN.md §5.5): 特急 and 加急 go up the same working day."""
    if document.urgency == Urgency.EXTRA_URGENT:
        return "document.extra_urgent"
    if document.urgency == Urgency.URGENT:
        return "document.urgent"
    if document.doc_type == "request":
        return "document.request"  # 请示 answered within 3 working days
    return None


def _secretariat() -> Section | None:
    return (
        Section.objects.filter(code="secretariat").first()
        or Section.objects.filter(name="秘书科").first()
    )


# --- 签收/登记 ------------------------------------------------------------------------------
def check_not_classified(marking: str = "", title: str = "", summary: str = "") -> None:
    """Refuse state secrets: this is a non-classified system (保密法; SECURITY.md S-15b). The
    rule is office.classification's, for every app; refusals are audited there."""
    classification.check_not_classified(marking=marking, title=title, summary=summary)


def earlier_registration(sender_name: str, sender_reference: str, *, exclude=None):
    if not sender_reference.strip():
        return None
    qs = IncomingDocument.objects.filter(
        sender_name=sender_name.strip(), sender_reference=sender_reference.strip()
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("registered_at", "pk").first()


def incoming_register(
    *,
    by,
    title: str,
    doc_type: str,
    sender: Unit | None = None,
    sender_name: str = "",
    sender_reference: str = "",
    marking: str = Marking.INTERNAL,
    audience: Iterable = (),
    urgency: str = Urgency.NORMAL,
    copies: int = 1,
    written_on: dt.date | None = None,
    received_at: dt.datetime | None = None,
    main_recipient: str = "",
    summary: str = "",
    files: Iterable[tuple[str, object]] = (),
    prefix: str | None = None,
    now: dt.datetime | None = None,
) -> IncomingDocument:
    """签收 and 登记: record what 第二十四条 asks and give the next registration number."""
    from django.conf import settings

    now = now or timezone.now()
    _require(by, "documents.register_incoming", _("Only the secretariat registers documents."))
    check_not_classified(marking, title, summary)
    if marking not in Marking.values:
        raise ValidationError(_("Choose the marking printed on the document."))
    sender_name = (sender_name or (sender.name if sender else "")).strip()
    if not sender_name:
        raise ValidationError(_("Say who sent the document."))
    audience = [u for u in audience if u is not None]
    if marking == Marking.RESTRICTED and not audience:
        raise ValidationError(_("A restricted document needs a named audience."))
    prefix = prefix or getattr(settings, "INCOMING_NUMBER_PREFIX", REGISTRATION_PREFIX_DEFAULT)
    received_at = received_at or now
    year = timezone.localtime(received_at).year
    with transaction.atomic():
        serial = next_number(prefix, year)
        document = IncomingDocument(
            registration_prefix=prefix,
            registration_year=year,
            registration_serial=serial,
            registration_number=registration_number(prefix, year, serial),
            sender=sender,
            sender_name=sender_name,
            sender_reference=sender_reference.strip(),
            title=title.strip(),
            doc_type=doc_type,
            marking=marking,
            urgency=urgency,
            priority=URGENCY_PRIORITY[Urgency(urgency)],
            copies=copies,
            written_on=written_on,
            received_at=received_at,
            main_recipient=main_recipient.strip(),
            summary=summary,
            registered_by=by,
            registered_at=now,
        )
        document.duplicate_of = earlier_registration(sender_name, sender_reference)
        _reindex(document)
        document.save()
        _grant(document, AccessReason.REGISTERED, now, users=[by])
        _grant(document, AccessReason.AUDIENCE, now, users=audience)
        for kind, upload in files:
            attachment_add(document=document, by=by, kind=kind, upload=upload, now=now, audit=False)
        audit_record(
            action="incoming.register",
            actor=by,
            obj=document,
            to_state=IncomingState.REGISTERED,
            changes={
                "registration_number": document.registration_number,
                "marking": marking,
                "urgency": urgency,
                "audience": [u.get_username() for u in audience],
                "duplicate_of": document.duplicate_of_id,
            },
            now=now,
        )
        secretariat = _secretariat()
        _open_item(
            document,
            title=_("Screen: %(t)s") % {"t": document.title},
            action=WorkAction.SCREEN,
            actor=by,
            assignee=by,
            section=secretariat,
            rule=_present_rule(document) or "document.request",
            start=received_at,
            notify_people=False,
            now=now,
        )
    return document


# --- Attachments ----------------------------------------------------------------------------
def attachment_add(*, document, by, kind: str, upload, now=None, audit: bool = True) -> Attachment:
    """Store a checked upload under a generated name (S-21…S-25). `upload` has passed
    `office.files.check_upload` in the form; it is checked again here."""
    from office.files import check_upload, store_checked

    now = now or timezone.now()
    _require(by, "documents.register_incoming", _("Only the secretariat adds files."))
    if document.is_read_only:
        raise TransitionError(_("An archived or returned document cannot be changed."))
    info = check_upload(upload)
    attachment = Attachment(document=document, kind=kind, uploaded_by=by, uploaded_at=now)
    store_checked(attachment, upload, info)
    if audit:
        audit_record(
            action="incoming.attach",
            actor=by,
            obj=document,
            changes={"file": info.safe_name, "sha256": attachment.sha256, "size": info.size},
            now=now,
        )
    return attachment


# --- 初审 -----------------------------------------------------------------------------------
def incoming_screen(
    *, document, by, accept: bool, reason: str = "", notify_sender: bool = False, now=None
) -> IncomingDocument:
    """初审: accept (受理) or return to the sender with reasons (退文, 第二十四条)."""
    now = now or timezone.now()
    INCOMING.require(by, "screen")
    if not accept and not reason.strip():
        raise ValidationError(_("Say why the document is returned."))
    with INCOMING.locked(document, "screen") as document:
        before = document.state
        document.screened_by = by
        document.screened_at = now
        if accept:
            document.state = IncomingState.ACCEPTED
        else:
            document.state = IncomingState.RETURNED
            document.return_reason = reason.strip()
        document.save()
        screen_item = _item_for(document, action=WorkAction.SCREEN)
        if screen_item is not None and not accept:
            _finish(screen_item, by=by, outcome=reason, now=now)
        audit_record(
            action="incoming.accept" if accept else "incoming.return",
            actor=by,
            obj=document,
            from_state=before,
            to_state=document.state,
            comment=reason,
            changes={"notify_sender": notify_sender} if not accept else None,
            now=now,
        )
    return document


# --- 拟办/呈批, 传阅 ------------------------------------------------------------------------
def _check_leader(user) -> None:
    if user is None or not _has_role(user, Role.LEADER) or not user.is_active:
        raise ValidationError(_("Documents are presented to a city leader."))


def incoming_present(*, document, by, leader, proposal: str, now=None) -> IncomingDocument:
    """拟办 + 呈批: the secretariat's proposal and the leader whose queue the document enters.
    特急/加急 are due the same working day (随到随呈)."""
    now = now or timezone.now()
    INCOMING.require(by, "present")
    _check_leader(leader)
    if not proposal.strip():
        raise ValidationError(_("Write the proposed handling (拟办意见)."))
    with INCOMING.locked(document, "present") as document:
        before = document.state
        document.proposal = proposal.strip()
        document.presented_to = leader
        document.presented_at = now
        document.state = IncomingState.PRESENTED
        _reindex(document)
        document.save()
        _grant(document, AccessReason.PRESENTED, now, users=[leader])
        _finish(_item_for(document, action=WorkAction.SCREEN), by=by, outcome=proposal, now=now)
        _open_item(
            document,
            title=_("For instruction: %(t)s") % {"t": document.title},
            action=WorkAction.APPROVE,
            actor=by,
            assignee=leader,
            leader=leader,
            rule=_present_rule(document),
            now=now,
        )
        audit_record(
            action="incoming.present",
            actor=by,
            obj=document,
            from_state=before,
            to_state=document.state,
            comment=proposal,
            changes={"presented_to": leader.get_username()},
            now=now,
        )
    return document


def _start_circulation(document, *, by, readers, now) -> list[Circulation]:
    readers = list(dict.fromkeys(readers))
    if not readers:
        raise ValidationError(_("Choose who reads the document."))
    _grant(document, AccessReason.CIRCULATED, now, users=readers)
    rows = []
    for reader in readers:
        item = _open_item(
            document,
            title=_("For reading: %(t)s") % {"t": document.title},
            action=WorkAction.READ,
            actor=by,
            assignee=reader,
            rule=_present_rule(document) or "document.handle",
            now=now,
        )
        rows.append(
            Circulation.objects.create(
                document=document, reader=reader, sent_by=by, sent_at=now, work_item=item
            )
        )
    return rows


def incoming_circulate(*, document, by, readers, proposal: str = "", now=None):
    """传阅 by the secretariat: for-information documents go to the chosen readers."""
    now = now or timezone.now()
    INCOMING.require(by, "circulate")
    with INCOMING.locked(document, "circulate") as document:
        before = document.state
        document.proposal = proposal.strip()
        document.state = IncomingState.CIRCULATING
        _reindex(document)
        document.save()
        _finish(_item_for(document, action=WorkAction.SCREEN), by=by, outcome=proposal, now=now)
        rows = _start_circulation(document, by=by, readers=readers, now=now)
        audit_record(
            action="incoming.circulate",
            actor=by,
            obj=document,
            from_state=before,
            to_state=document.state,
            changes={"readers": [c.reader.get_username() for c in rows]},
            now=now,
        )
    return document


def circulation_read(*, circulation: Circulation, by, comment: str = "", now=None) -> Circulation:
    """A reader confirms reading (read receipt); the last one moves the document on."""
    now = now or timezone.now()
    with transaction.atomic():
        document = _locked(circulation.document)
        circulation = Circulation.objects.select_for_update().get(pk=circulation.pk)
        if circulation.reader_id != by.pk:
            raise PermissionDenied(_("Only the reader can confirm reading."))
        if circulation.read_at is not None:
            raise TransitionError(_("You have already confirmed reading this document."))
        circulation.read_at = now
        circulation.comment = comment.strip()
        circulation.save()
        workitem_complete(item=circulation.work_item, by=by, outcome=comment, now=now)
        unread = Circulation.objects.filter(document=document, read_at__isnull=True).exists()
        before = document.state
        if not unread and document.state == IncomingState.CIRCULATING:
            document.state = IncomingState.HANDLED
            document.save()
            _open_confirmation(document, by=by, now=now)
        audit_record(
            action="incoming.read",
            actor=by,
            obj=document,
            from_state=before,
            to_state=document.state,
            comment=comment,
            now=now,
        )
    return circulation


def _open_confirmation(document, *, by, now) -> None:
    _open_item(
        document,
        title=_("Confirm completion: %(t)s") % {"t": document.title},
        action=WorkAction.REVIEW,
        actor=by,
        assignee=document.registered_by,
        section=_secretariat(),
        rule="document.request",
        now=now,
    )


# --- 批示 -----------------------------------------------------------------------------------
def incoming_instruct(
    *,
    document,
    leader,
    text: str,
    routing: str,
    lead: Section | Unit | None = None,
    assist: Iterable[Section | Unit] = (),
    due_on: dt.date | None = None,
    forward_to=None,
    readers: Iterable = (),
    now=None,
) -> Instruction:
    """批示: the leader it was presented to writes the instruction and decides the routing.

    Two leaders (or two tabs) at once: the row lock serialises them and the second finds the
    document no longer waiting for them, so exactly one instruction is recorded (S-28)."""
    now = now or timezone.now()
    INCOMING.require(leader, "instruct")
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the instruction."))
    if routing not in Routing.values:
        raise ValidationError(_("Choose what happens next."))
    assist = list(dict.fromkeys(a for a in assist if a is not None and a != lead))
    if routing == Routing.ASSIGN:
        if lead is None:
            raise ValidationError(_("Choose the lead section or unit (主办)."))
        if due_on is None:
            raise ValidationError(_("Give a deadline: assigned work must have one (第二十四条)."))
        if due_on < timezone.localdate(now):
            raise ValidationError(_("The deadline cannot be in the past."))
        workcalendar.is_workday(due_on)  # CalendarNotLoaded for a year not loaded
    if routing == Routing.FORWARD:
        _check_leader(forward_to)
        if forward_to == leader:
            raise ValidationError(_("Pass it on to another leader."))
    readers = [r for r in readers if r is not None]
    if routing == Routing.CIRCULATE and not readers:
        raise ValidationError(_("Choose who reads the document."))
    with transaction.atomic():
        document = _locked(document)
        if document.state != IncomingState.PRESENTED or document.presented_to_id != leader.pk:
            raise TransitionError(ALREADY_HANDLED)
        before = document.state
        instruction = Instruction.objects.create(
            document=document,
            leader=leader,
            text=text,
            routing=routing,
            forwarded_to=forward_to if routing == Routing.FORWARD else None,
            due_at=workcalendar.end_of_day(due_on) if due_on else None,
            created_at=now,
        )
        approve_item = _item_for(document, action=WorkAction.APPROVE, assignee=leader)
        _finish(approve_item, by=leader, outcome=text, now=now)
        changes: dict = {"routing": routing}
        if routing == Routing.ASSIGN:
            handlers = [(lead, HandlingRole.LEAD), *((a, HandlingRole.ASSIST) for a in assist)]
            for handler, role in handlers:
                _assign(document, instruction, handler, role, by=leader, now=now)
            document.state = IncomingState.HANDLING
            document.lead_section = lead if isinstance(lead, Section) else None
            document.lead_unit = lead if isinstance(lead, Unit) else None
            document.due_at = instruction.due_at
            changes |= {
                "lead": str(lead),
                "assist": [str(a) for a in assist],
                "due_at": instruction.due_at.isoformat(),
            }
        elif routing == Routing.FORWARD:
            document.presented_to = forward_to
            document.presented_at = now
            _grant(document, AccessReason.PRESENTED, now, users=[forward_to])
            _open_item(
                document,
                title=_("For instruction: %(t)s") % {"t": document.title},
                action=WorkAction.APPROVE,
                actor=leader,
                assignee=forward_to,
                leader=forward_to,
                rule=_present_rule(document),
                now=now,
            )
            changes["forwarded_to"] = forward_to.get_username()
        elif routing == Routing.CIRCULATE:
            document.state = IncomingState.CIRCULATING
            rows = _start_circulation(document, by=leader, readers=readers, now=now)
            changes["readers"] = [c.reader.get_username() for c in rows]
        else:  # 阅知
            document.state = IncomingState.HANDLED
        _reindex(document)
        document.save()
        if document.state == IncomingState.HANDLED:
            _open_confirmation(document, by=leader, now=now)
        audit_record(
            action="incoming.instruct",
            actor=leader,
            obj=document,
            from_state=before,
            to_state=document.state,
            comment=text,
            changes=changes,
            now=now,
        )
        notify(
            recipients=[document.registered_by],
            title=_("Instructed: %(t)s") % {"t": document.title},
            body=text,
            url=_url(document),
            now=now,
        )
    return instruction


def _assign(document, instruction, handler, role, *, by, now) -> Handling:
    is_section = isinstance(handler, Section)
    if document.marking == Marking.RESTRICTED:
        _restricted_grant_people(
            document,
            AccessReason.LEAD if role == HandlingRole.LEAD else AccessReason.ASSIST,
            now,
            sections=[handler] if is_section else [],
            units=[] if is_section else [handler],
        )
    else:
        _grant(
            document,
            AccessReason.LEAD if role == HandlingRole.LEAD else AccessReason.ASSIST,
            now,
            sections=[handler] if is_section else [],
            units=[] if is_section else [handler],
        )
    label = _("Handle (lead): %(t)s") if role == HandlingRole.LEAD else _("Assist: %(t)s")
    item = _open_item(
        document,
        title=label % {"t": document.title},
        action=WorkAction.HANDLE,
        actor=by,
        section=handler if is_section else None,
        unit=None if is_section else handler,
        leader=by,
        assigned_by=by,
        rule="document.handle",
        due_at=instruction.due_at,
        now=now,
    )
    return Handling.objects.create(
        document=document,
        instruction=instruction,
        section=handler if is_section else None,
        unit=None if is_section else handler,
        role=role,
        work_item=item,
    )


# --- 承办 -----------------------------------------------------------------------------------
def can_handle(user, handling: Handling) -> bool:
    staff = staff_of(user)
    if staff is None:
        return False
    if handling.section_id:
        return staff.section_id == handling.section_id
    return staff.unit_id == handling.unit_id


def _locked_handling(handling: Handling, by) -> tuple[IncomingDocument, Handling]:
    document = _locked(handling.document)
    handling = Handling.objects.select_for_update(of=("self",)).get(pk=handling.pk)
    if not can_handle(by, handling):
        raise PermissionDenied(_("Only the section or unit handling it may do this."))
    if handling.state != HandlingState.OPEN or document.state != IncomingState.HANDLING:
        raise TransitionError(_("This handling is already finished."))
    return document, handling


def handling_note(*, handling: Handling, by, text: str, now=None) -> ProgressNote:
    now = now or timezone.now()
    if not text.strip():
        raise ValidationError(_("Write the progress."))
    with transaction.atomic():
        document, handling = _locked_handling(handling, by)
        note = ProgressNote.objects.create(
            handling=handling, author=by, text=text.strip(), created_at=now
        )
        audit_record(action="incoming.progress", actor=by, obj=document, comment=text, now=now)
    return note


def handling_complete(*, handling: Handling, by, outcome: str, now=None) -> Handling:
    """办理结果: the handler records the outcome; when every handler is done the document waits
    for the secretariat to confirm completion."""
    now = now or timezone.now()
    if not outcome.strip():
        raise ValidationError(_("Record the outcome (办理结果)."))
    with transaction.atomic():
        document, handling = _locked_handling(handling, by)
        handling.state = HandlingState.DONE
        handling.outcome = outcome.strip()
        handling.completed_at = now
        handling.completed_by = by
        handling.save()
        workitem_complete(item=handling.work_item, by=by, outcome=outcome, now=now)
        # A request still waiting is moot: close it and take it out of the leader's inbox.
        for pending in ExtensionRequest.objects.filter(
            handling=handling, state=ExtensionState.PENDING
        ).select_related("work_item"):
            pending.state = ExtensionState.REFUSED
            pending.decided_at = now
            pending.save(update_fields=["state", "decided_at"])
            if pending.work_item.state == WorkState.OPEN:
                workitem_cancel(item=pending.work_item, by=None, reason=outcome, now=now)
        before = document.state
        if handling.role == HandlingRole.LEAD:
            document.outcome = handling.outcome
        if not document.handlings.filter(state=HandlingState.OPEN).exists():
            document.state = IncomingState.HANDLED
            _open_confirmation(document, by=by, now=now)
        document.save()
        audit_record(
            action="incoming.handled",
            actor=by,
            obj=document,
            from_state=before,
            to_state=document.state,
            comment=outcome,
            changes={"handler": str(handling.handler), "role": handling.role},
            now=now,
        )
    return handling


def extension_request(*, handling: Handling, by, days: int, reason: str, now=None):
    """The handler asks the leader who instructed for more working days."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError(_("Say why more time is needed."))
    if not 0 < days <= 30:
        raise ValidationError(_("Ask for between 1 and 30 working days."))
    with transaction.atomic():
        document, handling = _locked_handling(handling, by)
        if handling.extensions.filter(state=ExtensionState.PENDING).exists():
            raise TransitionError(_("An extension request is already waiting for the leader."))
        # Ask only for what the leader could approve (workitem_extend applies the same rule).
        rule = handling.work_item.rule
        if rule is not None:
            if handling.work_item.extensions >= rule.max_extensions:
                raise TransitionError(
                    _("This work has used all %(n)d extension(s) its rule allows.")
                    % {"n": rule.max_extensions}
                )
            if days > rule.max_extension_amount:
                raise ValidationError(
                    _("An extension may be at most %(n)d %(unit)s.")
                    % {"n": rule.max_extension_amount, "unit": rule.get_unit_display()}
                )
        leader = handling.instruction.leader
        item = _open_item(
            document,
            title=_("Extension requested: %(t)s") % {"t": document.title},
            action=WorkAction.APPROVE,
            actor=by,
            assignee=leader,
            leader=leader,
            rule="document.request",
            now=now,
        )
        request = ExtensionRequest.objects.create(
            handling=handling,
            requested_by=by,
            days=days,
            reason=reason.strip(),
            work_item=item,
            created_at=now,
        )
        audit_record(
            action="incoming.extension_request",
            actor=by,
            obj=document,
            comment=reason,
            changes={"days": days, "handler": str(handling.handler)},
            now=now,
        )
    return request


def extension_decide(*, request: ExtensionRequest, by, approve: bool, reason: str = "", now=None):
    """The leader who instructed approves (the deadline moves, everyone is told) or refuses."""
    now = now or timezone.now()
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        handling = request.handling
        document = _locked(handling.document)
        if by.pk != handling.instruction.leader_id:
            raise PermissionDenied(_("Only the leader who instructed may decide."))
        if request.state != ExtensionState.PENDING:
            raise TransitionError(ALREADY_HANDLED)
        request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        request.decided_by = by
        request.decided_at = now
        request.save()
        _finish(request.work_item, by=by, outcome=reason, now=now)
        if approve:
            item = workitem_extend(
                item=handling.work_item, by=by, amount=request.days, reason=request.reason, now=now
            )
            if handling.role == HandlingRole.LEAD:
                document.due_at = item.due_at
                document.save(update_fields=["due_at", "updated_at"])
            # workitem_extend told the section head and the leader; tell the one who asked.
            if request.requested_by_id not in {u.pk for u in _people_to_tell(item)}:
                notify(
                    recipients=[request.requested_by],
                    title=_("Deadline extended: %(t)s") % {"t": item.title},
                    body=request.reason,
                    url=_url(document),
                    work_item=item,
                    now=now,
                )
        else:
            notify(
                recipients=[request.requested_by],
                title=_("Extension refused: %(t)s") % {"t": document.title},
                body=reason,
                url=_url(document),
                now=now,
            )
        audit_record(
            action="incoming.extension_approve" if approve else "incoming.extension_refuse",
            actor=by,
            obj=document,
            comment=reason,
            changes={"days": request.days},
            now=now,
        )
    return request


# --- 办结, 归档 -----------------------------------------------------------------------------
def incoming_confirm(*, document, by, now=None) -> IncomingDocument:
    """办结: the secretariat confirms the document is done; it then waits for filing."""
    now = now or timezone.now()
    INCOMING.require(by, "confirm")
    with INCOMING.locked(document, "confirm") as document:
        document.state = IncomingState.COMPLETED
        document.completed_at = now
        document.completed_by = by
        document.save()
        _finish(_item_for(document, action=WorkAction.REVIEW), by=by, outcome="", now=now)
        archivist = (
            get_user_model()
            .objects.filter(groups__name=Role.ARCHIVIST, is_active=True)
            .order_by("pk")
            .first()
        )
        if archivist is not None:
            _open_item(
                document,
                title=_("File: %(t)s") % {"t": document.title},
                action=WorkAction.FILE,
                actor=by,
                assignee=archivist,
                rule="document.handle",
                notify_people=False,
                now=now,
            )
        audit_record(
            action="incoming.complete",
            actor=by,
            obj=document,
            from_state=IncomingState.HANDLED,
            to_state=document.state,
            now=now,
        )
    return document


def incoming_archive(
    *, document, by, retention: str, volume_reference: str, now=None
) -> IncomingDocument:
    """立卷/归档 with retention (永久 / 30年 / 10年, 国家档案局令第8号). Read-only afterwards."""
    now = now or timezone.now()
    INCOMING.require(by, "archive")
    if retention not in Retention.values:
        raise ValidationError(_("Choose the retention period."))
    if not volume_reference.strip():
        raise ValidationError(_("Give the volume reference."))
    with INCOMING.locked(document, "archive") as document:
        document.state = IncomingState.ARCHIVED
        document.retention = retention
        document.volume_reference = volume_reference.strip()
        document.archived_at = now
        document.archived_by = by
        document.save()
        _finish(_item_for(document, action=WorkAction.FILE), by=by, outcome="", now=now)
        audit_record(
            action="incoming.archive",
            actor=by,
            obj=document,
            from_state=IncomingState.COMPLETED,
            to_state=document.state,
            changes={"retention": retention, "volume_reference": document.volume_reference},
            now=now,
        )
    return document


def incoming_viewed(*, document, by, request=None, what: str = "view") -> None:
    """Every view of a restricted document is audited."""
    if document.marking == Marking.RESTRICTED:
        audit_record(
            action=f"incoming.{what}",
            actor=by,
            obj=document,
            request=request,
        )
