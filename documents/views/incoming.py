"""Registration (签收/登记), a document's page, and one POST-only view per transition.

Bad input re-renders the document's page with the form as typed, so a leader's long instruction
is never lost; a document that moved on meanwhile redirects with the reason; a PermissionDenied
from a service is a 403.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from office import workcalendar
from office.models import AuditEntry, Unit
from office.people import display_name
from office.services import TransitionError

from .. import services
from ..forms import (
    ArchiveForm,
    AttachForm,
    CirculateForm,
    CompleteForm,
    ConfirmForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    InstructForm,
    NoteForm,
    PresentForm,
    ReadForm,
    RegisterForm,
    ScreenForm,
)
from ..models import (
    AccessReason,
    AttachmentKind,
    Circulation,
    ExtensionRequest,
    ExtensionState,
    HandlingRole,
    HandlingState,
    IncomingAccess,
    IncomingDocument,
    IncomingState,
    Marking,
    ProgressNote,
)
from ..transitions import INCOMING
from .access import (
    _get_document_for_user,
    _get_extension_for_user,
    _get_handling_for_user,
    _visible,
)

DEFAULT_WORKDAYS = 5  # the deadline offered with an assignment: five working days

# The document's history on its page: the audit entries of its transitions (views of a
# restricted document are audited too, but they are not steps of its handling).
HISTORY = {
    "incoming.register": gettext_lazy("registered"),
    "incoming.accept": gettext_lazy("accepted"),
    "incoming.return": gettext_lazy("returned to the sender"),
    "incoming.present": gettext_lazy("presented for instruction"),
    "incoming.circulate": gettext_lazy("circulated"),
    "incoming.instruct": gettext_lazy("instructed"),
    "incoming.read": gettext_lazy("confirmed reading"),
    "incoming.attach": gettext_lazy("attached a file"),
    "incoming.progress": gettext_lazy("recorded progress"),
    "incoming.extension_request": gettext_lazy("asked for more time"),
    "incoming.extension_approve": gettext_lazy("approved more time"),
    "incoming.extension_refuse": gettext_lazy("refused more time"),
    "incoming.handled": gettext_lazy("completed the handling"),
    "incoming.complete": gettext_lazy("confirmed completion"),
    "incoming.archive": gettext_lazy("filed in the archive"),
}


# --- 签收/登记 -------------------------------------------------------------------------------------
@login_required
@permission_required("documents.register_incoming", raise_exception=True)
def incoming_register(request):
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        sender, sender_name = d["sender"]
        try:
            document = services.incoming_register(
                by=request.user,
                title=d["title"],
                doc_type=d["doc_type"],
                sender=sender,
                sender_name=sender_name,
                sender_reference=d["sender_reference"],
                marking=d["marking"],
                audience=d["audience"],
                urgency=d["urgency"],
                copies=d["copies"],
                written_on=d["written_on"],
                received_at=d["received_at"],
                main_recipient=d["main_recipient"],
                summary=d["summary"],
                files=form.uploads(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except workcalendar.CalendarNotLoaded as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Registered as %(number)s.") % {"number": document.registration_number},
            )
            if document.duplicate_of_id:
                earlier = document.duplicate_of
                messages.warning(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("The same sender reference was registered before:"),
                        earlier.get_absolute_url(),
                        earlier.registration_number,
                    ),
                )
            return redirect(document)
    return render(
        request,
        "documents/incoming_register.html",
        {"form": form, "units": Unit.objects.filter(active=True).only("name", "short_name")},
    )


# --- A document's page --------------------------------------------------------------------------
@login_required
def incoming_detail(request, pk: int):
    document = _get_document_for_user(request, pk)
    services.incoming_viewed(document=document, by=request.user, request=request)
    return _render_detail(request, document)


def _default_due() -> dt.date:
    return workcalendar.add_workdays(timezone.localdate(), DEFAULT_WORKDAYS)


def _render_detail(request, document: IncomingDocument, bound: dict | None = None):
    """The document's page with the forms this person may use now; `bound` holds a form that
    was just submitted with errors, keyed as in the context."""
    user = request.user
    bound = bound or {}
    now = timezone.now()
    state = document.state
    registrar = user.has_perm("documents.register_incoming")
    read_only = document.is_read_only

    handlings = list(
        document.handlings.select_related(
            "section", "unit", "work_item", "completed_by", "instruction__leader"
        ).prefetch_related(
            Prefetch("notes", ProgressNote.objects.select_related("author")),
            Prefetch(
                "extensions",
                ExtensionRequest.objects.select_related("requested_by", "decided_by").order_by(
                    "created_at", "pk"
                ),
            ),
        )
    )
    handlings.sort(key=lambda h: (h.role != HandlingRole.LEAD, h.pk))  # 主办 before 协办
    for h in handlings:
        h.light = h.work_item.light(now) if h.state == HandlingState.OPEN else None
        h.pending = next((e for e in h.extensions.all() if e.state == ExtensionState.PENDING), None)
        h.can_act = (
            state == IncomingState.HANDLING
            and h.state == HandlingState.OPEN
            and services.can_handle(user, h)
        )
        h.can_decide = h.pending is not None and h.instruction.leader_id == user.pk
        if h.can_act:
            h.note_form = bound.get(f"note-{h.pk}") or NoteForm(auto_id=f"id_h{h.pk}_%s")
            h.complete_form = bound.get(f"complete-{h.pk}") or CompleteForm(
                auto_id=f"id_h{h.pk}_%s"
            )
            h.extension_form = bound.get(f"extension-{h.pk}") or ExtensionRequestForm(
                auto_id=f"id_h{h.pk}_%s"
            )
        if h.can_decide:
            h.decide_form = bound.get(f"decide-{h.pending.pk}") or ExtensionDecideForm(
                auto_id=f"id_e{h.pending.pk}_%s"
            )
    instructions = list(document.instructions.select_related("leader", "forwarded_to"))
    circulations = list(document.circulations.select_related("reader", "sent_by"))
    mine = next((c for c in circulations if c.reader_id == user.pk and c.read_at is None), None)
    attachments = list(document.attachments.all())
    scan = next((a for a in attachments if a.kind == AttachmentKind.SCAN), None)
    audience = []
    if document.marking == Marking.RESTRICTED:
        audience = IncomingAccess.objects.filter(
            document=document, reason=AccessReason.AUDIENCE
        ).select_related("user")
    duplicate = None
    if document.duplicate_of_id:
        duplicate = _visible(request).filter(pk=document.duplicate_of_id).first()

    # What the page offers is what the declared transitions allow (documents.transitions);
    # an instruction also belongs to the leader the document was presented to.
    may = INCOMING.offered(user, document)
    can = {
        "screen": may["screen"],
        "present": may["present"],
        "instruct": may["instruct"] and document.presented_to_id == user.pk,
        "confirm": may["confirm"],
        "archive": may["archive"],
        "attach": registrar and not read_only,
        "read": mine is not None,
    }
    forms = {}
    if can["screen"]:
        forms["screen_form"] = bound.get("screen_form") or ScreenForm()
    if can["present"]:
        forms["present_form"] = bound.get("present_form") or PresentForm()
        forms["circulate_form"] = bound.get("circulate_form") or CirculateForm()
    if can["instruct"]:
        forms["instruct_form"] = bound.get("instruct_form") or InstructForm(
            leader=user, initial={"due_on": _default_due()}
        )
    if can["confirm"]:
        forms["confirm_form"] = ConfirmForm()
    if can["archive"]:
        forms["archive_form"] = bound.get("archive_form") or ArchiveForm()
    if can["attach"]:
        forms["attach_form"] = bound.get("attach_form") or AttachForm()
    if can["read"]:
        forms["read_form"] = bound.get("read_form") or ReadForm()

    has_actions = any(can.values()) or any(h.can_act or h.can_decide for h in handlings)
    history = AuditEntry.objects.filter(
        object_type=IncomingDocument._meta.label_lower,
        object_id=str(document.pk),
        action__in=list(HISTORY),
    ).order_by("at", "pk")
    return render(
        request,
        "documents/incoming_detail.html",
        {
            "document": document,
            "instructions": instructions,
            "latest_instruction": instructions[-1] if instructions else None,
            "handlings": handlings,
            "circulations": circulations,
            "holders": [c for c in circulations if c.read_at is None],
            "attachments": attachments,
            "scan": scan,
            "annexes": [a for a in attachments if a is not scan],
            "duplicate": duplicate,
            "audience": audience,
            "history": [(e, HISTORY[e.action]) for e in history],
            "can": can,
            "has_actions": has_actions,
            "has_side": has_actions
            or bool(document.proposal)
            or (bool(instructions) and state == IncomingState.HANDLING),
            "now": now,
            **forms,
        },
    )


# --- Transitions --------------------------------------------------------------------------------
def _messages_for(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _transition(request, document, form, form_key: str, call, success, *, to=None):
    """Form → one service → redirect with a message (see the module's docstring)."""
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(document)
        except ValidationError as exc:
            form.add_error(None, exc)
        except workcalendar.CalendarNotLoaded as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(to or document)
    _messages_for(request, form)
    return _render_detail(request, document, {form_key: form})


@login_required
@require_POST
def incoming_screen(request, pk: int):
    """初审: accept, or return to the sender with the reasons (退文)."""
    document = _get_document_for_user(request, pk)
    form = ScreenForm(request.POST)

    def call(d):
        return services.incoming_screen(
            document=document,
            by=request.user,
            accept=d["decision"] == "accept",
            reason=d["reason"],
            notify_sender=d["notify_sender"],
        )

    def success(doc):
        if doc.state == IncomingState.RETURNED:
            return _("The document is returned to the sender; print the return slip.")
        return _("The document is accepted.")

    return _transition(request, document, form, "screen_form", call, success)


@login_required
@require_POST
def incoming_present(request, pk: int):
    """拟办 + 呈批 to one leader."""
    document = _get_document_for_user(request, pk)
    form = PresentForm(request.POST)

    def call(d):
        return services.incoming_present(
            document=document, by=request.user, leader=d["leader"], proposal=d["proposal"]
        )

    def success(doc):
        return _("Presented to %(leader)s.") % {"leader": display_name(doc.presented_to)}

    return _transition(request, document, form, "present_form", call, success)


@login_required
@require_POST
def incoming_circulate(request, pk: int):
    """传阅 by the secretariat, to the chosen readers."""
    document = _get_document_for_user(request, pk)
    form = CirculateForm(request.POST)

    def call(d):
        return services.incoming_circulate(
            document=document, by=request.user, readers=d["readers"], proposal=d["proposal"]
        )

    return _transition(
        request, document, form, "circulate_form", call, _("The document is circulating.")
    )


@login_required
@require_POST
def incoming_instruct(request, pk: int):
    """批示 by the leader it was presented to; then back to the queue for the next one."""
    document = _get_document_for_user(request, pk)
    form = InstructForm(request.POST, leader=request.user)

    def call(d):
        return services.incoming_instruct(
            document=document,
            leader=request.user,
            text=d["text"],
            routing=d["routing"],
            lead=d["lead"],
            assist=d["assist"],
            due_on=d["due_on"],
            forward_to=d["forward_to"],
            readers=d["readers"] or (),
        )

    def success(_instruction):
        return _("Your instruction on “%(title)s” is recorded.") % {"title": document.title}

    return _transition(
        request, document, form, "instruct_form", call, success, to="documents:queue"
    )


@login_required
@require_POST
def incoming_read(request, pk: int):
    """A reader confirms reading (read receipt)."""
    document = _get_document_for_user(request, pk)
    mine = Circulation.objects.filter(document=document, reader=request.user)
    circulation = mine.filter(read_at__isnull=True).first() or mine.first()
    if circulation is None:
        raise PermissionDenied(_("Only the reader can confirm reading."))
    form = ReadForm(request.POST)

    def call(d):
        return services.circulation_read(
            circulation=circulation, by=request.user, comment=d["comment"]
        )

    return _transition(request, document, form, "read_form", call, _("Reading confirmed."))


@login_required
@require_POST
def incoming_confirm(request, pk: int):
    """办结, confirmed by the secretariat."""
    document = _get_document_for_user(request, pk)
    form = ConfirmForm(request.POST)

    def call(_d):
        return services.incoming_confirm(document=document, by=request.user)

    return _transition(request, document, form, "confirm_form", call, _("Completion is confirmed."))


@login_required
@require_POST
def incoming_archive(request, pk: int):
    """立卷/归档 by the archivist; the document is read-only from then on."""
    document = _get_document_for_user(request, pk)
    form = ArchiveForm(request.POST)

    def call(d):
        return services.incoming_archive(
            document=document,
            by=request.user,
            retention=d["retention"],
            volume_reference=d["volume_reference"],
        )

    return _transition(request, document, form, "archive_form", call, _("The document is filed."))


@login_required
@require_POST
def incoming_attach(request, pk: int):
    """More files (the scan or annexes) by the secretariat, while the document is not
    read-only. Several files are stored together or not at all."""
    document = _get_document_for_user(request, pk)
    if not request.user.has_perm("documents.register_incoming"):
        raise PermissionDenied(_("Only the secretariat adds files."))
    form = AttachForm(request.POST, request.FILES)

    def call(d):
        with transaction.atomic():
            return [
                services.attachment_add(
                    document=document, by=request.user, kind=d["kind"], upload=upload
                )
                for upload in d["attachments"]
            ]

    def success(added):
        return _("%(n)d file(s) attached.") % {"n": len(added)}

    return _transition(request, document, form, "attach_form", call, success)


# --- 承办 ------------------------------------------------------------------------------------------
@login_required
@require_POST
def handling_note(request, pk: int):
    handling = _get_handling_for_user(request, pk)
    form = NoteForm(request.POST, auto_id=f"id_h{handling.pk}_%s")

    def call(d):
        return services.handling_note(handling=handling, by=request.user, text=d["text"])

    return _transition(
        request, handling.document, form, f"note-{handling.pk}", call, _("Progress recorded.")
    )


@login_required
@require_POST
def handling_complete(request, pk: int):
    handling = _get_handling_for_user(request, pk)
    form = CompleteForm(request.POST, auto_id=f"id_h{handling.pk}_%s")

    def call(d):
        return services.handling_complete(handling=handling, by=request.user, outcome=d["outcome"])

    return _transition(
        request,
        handling.document,
        form,
        f"complete-{handling.pk}",
        call,
        _("The handling is completed."),
    )


@login_required
@require_POST
def extension_request(request, pk: int):
    handling = _get_handling_for_user(request, pk)
    form = ExtensionRequestForm(request.POST, auto_id=f"id_h{handling.pk}_%s")

    def call(d):
        return services.extension_request(
            handling=handling, by=request.user, days=d["days"], reason=d["reason"]
        )

    return _transition(
        request,
        handling.document,
        form,
        f"extension-{handling.pk}",
        call,
        _("The request for more time was sent to the leader."),
    )


@login_required
@require_POST
def extension_decide(request, pk: int):
    """The leader who instructed approves or refuses more time."""
    extension = _get_extension_for_user(request, pk)
    form = ExtensionDecideForm(request.POST, auto_id=f"id_e{extension.pk}_%s")

    def call(d):
        return services.extension_decide(
            request=extension,
            by=request.user,
            approve=d["decision"] == "approve",
            reason=d["reason"],
        )

    def success(decided):
        if decided.state == ExtensionState.APPROVED:
            return _("More time is approved; the deadline moved.")
        return _("More time is refused.")

    return _transition(
        request, extension.handling.document, form, f"decide-{extension.pk}", call, success
    )
