"""A meeting's page, scheduling, item submission and one POST-only view per transition.

Every view finds its meeting through `Meeting.objects.visible_to` (404 otherwise); what the
person may see but not do is a PermissionDenied from the service (403). Bad input and a state
that moved on come back as a message on the meeting's page, with nothing changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from office import qr
from office.pdf import render_pdf
from office.people import display_name
from office.services import TransitionError

from .. import services
from ..forms import (
    CheckInForm,
    DecisionForm,
    ItemForm,
    LegalReviewForm,
    MinutesForm,
    NoteForm,
    OutcomeForm,
    RecordersForm,
    RespondForm,
    ScheduleForm,
)
from ..models import (
    AgendaItem,
    Attendance,
    Decision,
    ItemState,
    Meeting,
    MeetingState,
    Minutes,
    MinutesState,
    RecordNote,
)


def _get_meeting_for_user(request, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.visible_to(request.user)
        .select_related("kind", "room", "chair", "kind__mayor", "kind__secretary_general")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def _get_item_for_user(request, pk: int) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(pk=pk, meeting__in=Meeting.objects.visible_to(request.user))
        .select_related("meeting__kind", "section")
        .first()
    )
    if item is None:
        raise Http404
    return item


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _run(request, meeting: Meeting, fn, success: str):
    """Call one service; its refusal of the state or the input is a message, not a page."""
    try:
        fn()
    except (TransitionError, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect(meeting.get_absolute_url())


@login_required
def meeting_new(request):
    if not services.is_organiser(request.user):
        raise PermissionDenied
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                by=request.user,
                kind=d["kind"],
                title=d["title"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                room=d["room"],
                chair=d["chair"],
                recorders=d["recorders"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("The meeting is in the calendar."))
            for user, other in services.leader_conflicts(meeting):
                messages.warning(
                    request,
                    _("%(name)s is also in “%(other)s” at that time.")
                    % {"name": display_name(user), "other": other.title},
                )
            return redirect(meeting.get_absolute_url())
    return render(request, "meetings/meeting_new.html", {"form": form})


@login_required
def meeting_detail(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    user = request.user
    items = list(
        meeting.items.select_related("section", "submitted_by").prefetch_related(
            Prefetch("notes", queryset=RecordNote.objects.select_related("recorder")),
            Prefetch("decisions", queryset=Decision.objects.select_related("section", "unit")),
        )
    )
    attendances = list(
        meeting.attendances.select_related("user__staff__section", "user__staff__unit").order_by(
            "-role", "pk"
        )  # 出席 before 列席
    )
    mine = next((a for a in attendances if a.user_id == user.pk), None)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("signed_by").first()
    recorders = list(meeting.recorders.all())
    is_recorder = any(r.pk == user.pk for r in recorders)
    decisions = [d for i in items for d in i.decisions.all()]
    _attach_supervision(decisions)
    context = {
        "meeting": meeting,
        "items": items,
        "scheduled": [i for i in items if i.state == ItemState.SCHEDULED],
        "attendances": attendances,
        "answered": sum(1 for a in attendances if a.answered_at),
        "mine": mine,
        "minutes": minutes,
        "recorders": recorders,
        "quorum": services.quorum(meeting, attendances),
        "conflicts": services.leader_conflicts(meeting)
        if meeting.state in services.LIVE_STATES
        else [],
        "paper_deadline": services.paper_deadline(meeting),
        "notice_date": _notice_date(meeting),
        "is_organiser": services.is_organiser(user),
        "live": meeting.state in services.LIVE_STATES,
        "is_recorder": is_recorder,
        "is_mayor": user.pk == meeting.kind.mayor_id,
        "is_secgen": user.pk == meeting.kind.secretary_general_id,
        "is_signer": user.pk == services.signer_of(meeting).pk,
        "is_legal": services.is_legal_reviewer(user),
        "signer": services.signer_of(meeting),
        "decisions": decisions,
        "S": MeetingState,
        "IS": ItemState,
        "MS": MinutesState,
        "respond_form": RespondForm(),
        "note_form": NoteForm(),
        "outcome_form": OutcomeForm(),
        "decision_form": DecisionForm(),
        "minutes_form": MinutesForm(initial={"body": minutes.body if minutes else ""}),
        "recorders_form": RecordersForm(initial={"recorders": recorders}),
    }
    return render(request, "meetings/meeting_detail.html", context)


def _notice_date(meeting):
    try:
        return services.notice_date(meeting)
    except Exception:  # the working calendar for that year is not loaded yet
        return None


def _attach_supervision(decisions) -> None:
    """Each decision's supervised task and its light, in one query for all of them (linked
    through the task's source: `SupervisionTask.objects.for_source`)."""
    if not decisions:
        return
    from django.contrib.contenttypes.models import ContentType

    from supervision.models import SupervisionTask

    ct = ContentType.objects.get_for_model(Decision)
    tasks = {
        t.source_id: t
        for t in SupervisionTask.objects.filter(
            source_type=ct, source_id__in=[d.pk for d in decisions]
        )
    }
    for d in decisions:
        d.task = tasks.get(d.pk)


@login_required
def item_submit(request):
    if not request.user.has_perm("meetings.add_agendaitem"):
        raise PermissionDenied
    staff = getattr(request.user, "staff", None)
    if staff is None or staff.section_id is None:
        raise PermissionDenied
    initial = {"meeting": request.GET.get("meeting")} if request.GET.get("meeting") else None
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.item_submit(
                by=request.user,
                meeting=d["meeting"],
                title=d["title"],
                briefing=d["briefing"],
                consulted=d["consulted"],
                needs_legal_review=d["needs_legal_review"],
                restricted=d["restricted"],
            )
        except (ValidationError, TransitionError) as error:
            form.add_error(None, _error_text(error))
        else:
            if item.late:
                messages.warning(
                    request,
                    _(
                        "The papers are later than the deadline: the item goes on the agenda "
                        "only if the mayor approves."
                    ),
                )
            messages.success(request, _("The agenda item is submitted."))
            return redirect(item.meeting.get_absolute_url())
    return render(request, "meetings/item_submit.html", {"form": form})


# --- agenda transitions -----------------------------------------------------------------------
@login_required
@require_POST
def item_legal_review(request, pk: int):
    item = _get_item_for_user(request, pk)
    form = LegalReviewForm(request.POST)
    opinion = form.data.get("opinion", "")[:4000]
    cleared = form.data.get("cleared") == "on"
    return _run(
        request,
        item.meeting,
        lambda: services.item_legal_review(
            by=request.user, item=item, opinion=opinion, cleared=cleared
        ),
        _("The legality review is recorded."),
    )


@login_required
@require_POST
def item_check(request, pk: int):
    item = _get_item_for_user(request, pk)
    accept = request.POST.get("decision") == "accept"
    comment = request.POST.get("comment", "")[:2000]
    return _run(
        request,
        item.meeting,
        lambda: services.item_check(by=request.user, item=item, accept=accept, comment=comment),
        _("The item is checked.") if accept else _("The item is returned."),
    )


@login_required
@require_POST
def item_approve_late(request, pk: int):
    item = _get_item_for_user(request, pk)
    return _run(
        request,
        item.meeting,
        lambda: services.item_approve_late(by=request.user, item=item),
        _("The late papers are approved."),
    )


@login_required
@require_POST
def agenda_approve(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.agenda_approve(by=request.user, meeting=meeting),
        _("The agenda is approved."),
    )


@login_required
@require_POST
def agenda_add(request, pk: int):
    item = _get_item_for_user(request, pk)
    return _run(
        request,
        item.meeting,
        lambda: services.agenda_change(by=request.user, item=item, add=True),
        _("The item is added to the agenda."),
    )


@login_required
@require_POST
def agenda_remove(request, pk: int):
    item = _get_item_for_user(request, pk)
    return _run(
        request,
        item.meeting,
        lambda: services.agenda_change(by=request.user, item=item, add=False),
        _("The item is taken off the agenda."),
    )


# --- schedule, notices, answers, check-in -----------------------------------------------------
@login_required
@require_POST
def meeting_recorders(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    form = RecordersForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name exactly two recorders."))
        return redirect(meeting.get_absolute_url())
    return _run(
        request,
        meeting,
        lambda: services.meeting_set_recorders(
            by=request.user, meeting=meeting, recorders=form.cleaned_data["recorders"]
        ),
        _("The recorders are named."),
    )


@login_required
@require_POST
def meeting_cancel(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    reason = request.POST.get("comment", "")[:2000]
    return _run(
        request,
        meeting,
        lambda: services.meeting_cancel(by=request.user, meeting=meeting, reason=reason),
        _("The meeting is cancelled."),
    )


@login_required
@require_POST
def meeting_notify(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.meeting_notify(by=request.user, meeting=meeting),
        _("The notices are sent."),
    )


@login_required
@require_POST
def attendance_respond(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you will attend."))
        return redirect(meeting.get_absolute_url())
    d = form.cleaned_data
    return _run(
        request,
        meeting,
        lambda: services.attendance_respond(
            by=request.user,
            meeting=meeting,
            attend=d["attend"],
            reason=d["reason"],
            substitute=d["substitute"],
        ),
        _("Your answer is recorded."),
    )


@login_required
@require_POST
def check_in_at_door(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the person."))
        return redirect(meeting.get_absolute_url())
    who = form.cleaned_data["user"]
    return _run(
        request,
        meeting,
        lambda: services.check_in(by=request.user, meeting=meeting, user=who),
        _("%(name)s is checked in.") % {"name": display_name(who)},
    )


@login_required
def check_in_self(request, token: str):
    """The per-meeting check-in link (shown at the door): the attendee opens it signed in and
    checks themselves in. Only people on the list (and the secretariat) see the page."""
    meeting = Meeting.objects.select_related("kind", "room").filter(checkin_token=token).first()
    if meeting is None:
        raise Http404
    mine = Attendance.objects.filter(meeting=meeting, user=request.user).first()
    if mine is None and not services.is_organiser(request.user):
        raise Http404
    if request.method == "POST":
        try:
            services.check_in(by=request.user, meeting=meeting)
        except (TransitionError, ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("You are checked in."))
        return redirect("meetings:check_in_self", token=token)
    return render(request, "meetings/check_in_self.html", {"meeting": meeting, "mine": mine})


@login_required
def check_in_code(request, pk: int):
    """The page the secretariat puts up at the door: the check-in link, large, and live quorum."""
    meeting = _get_meeting_for_user(request, pk)
    if not services.is_organiser(request.user):
        raise PermissionDenied
    url = request.build_absolute_uri(f"/meetings/check-in/{meeting.checkin_token}/")
    try:
        code = qr.svg(url, label=_("QR code: check in to %(t)s") % {"t": meeting.title})
    except qr.TooLong:  # a very long host name: the link alone still works
        code = ""
    return render(
        request,
        "meetings/check_in_code.html",
        {"meeting": meeting, "url": url, "qr": code, "quorum": services.quorum(meeting)},
    )


@login_required
def signin_sheet(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    if not services.is_organiser(request.user):
        raise PermissionDenied
    attendances = list(
        meeting.attendances.select_related("user__staff__section", "user__staff__unit").order_by(
            "-role", "pk"
        )
    )
    for a in attendances:
        staff = getattr(a.user, "staff", None)
        a.org = ""
        if staff is not None:
            org = (
                staff.section.name if staff.section else staff.unit.short_name if staff.unit else ""
            )
            a.org = f"{org} {staff.post}".strip()
    pdf = render_pdf(
        "meetings/pdf/signin_sheet.html",
        {"meeting": meeting, "attendances": attendances, "quorum": services.quorum(meeting)},
    )
    return _pdf_response(pdf, f"signin-{meeting.pk}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the record -------------------------------------------------------------------------------
@login_required
@require_POST
def record_note(request, pk: int):
    item = _get_item_for_user(request, pk)
    text = request.POST.get("text", "")[:20000]
    return _run(
        request,
        item.meeting,
        lambda: services.record_note(by=request.user, item=item, text=text),
        _("The notes are saved."),
    )


@login_required
@require_POST
def item_outcome(request, pk: int):
    item = _get_item_for_user(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome."))
        return redirect(item.meeting.get_absolute_url())
    d = form.cleaned_data
    return _run(
        request,
        item.meeting,
        lambda: services.item_outcome(
            by=request.user, item=item, outcome=d["outcome"], note=d["note"]
        ),
        _("The outcome is recorded."),
    )


@login_required
@require_POST
def decision_add(request, pk: int):
    item = _get_item_for_user(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the decision, its responsible and a deadline."))
        return redirect(item.meeting.get_absolute_url())
    d = form.cleaned_data
    return _run(
        request,
        item.meeting,
        lambda: services.decision_add(
            by=request.user,
            item=item,
            text=d["text"],
            section=d["section"],
            unit=d["unit"],
            due_on=d["due_on"],
        ),
        _("The decision is recorded."),
    )


@login_required
@require_POST
def close_record(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.meeting_close_record(by=request.user, meeting=meeting),
        _("The record is closed."),
    )


# --- minutes --------------------------------------------------------------------------------
@login_required
@require_POST
def minutes_draft(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    body = request.POST.get("body", "")[:50000]
    return _run(
        request,
        meeting,
        lambda: services.minutes_draft(by=request.user, meeting=meeting, body=body),
        _("The draft minutes are saved."),
    )


def _minutes_of(meeting) -> Minutes:
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise Http404
    return minutes


@login_required
@require_POST
def minutes_check(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    minutes = _minutes_of(meeting)
    accept = request.POST.get("decision") == "accept"
    comment = request.POST.get("comment", "")[:2000]
    return _run(
        request,
        meeting,
        lambda: services.minutes_check(
            by=request.user, minutes=minutes, accept=accept, comment=comment
        ),
        _("The minutes are checked.") if accept else _("The minutes are returned to the draft."),
    )


@login_required
@require_POST
def minutes_sign(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    minutes = _minutes_of(meeting)
    return _run(
        request,
        meeting,
        lambda: services.minutes_sign(by=request.user, minutes=minutes),
        _("The minutes are signed."),
    )


@login_required
@require_POST
def minutes_issue(request, pk: int):
    meeting = _get_meeting_for_user(request, pk)
    minutes = _minutes_of(meeting)
    return _run(
        request,
        meeting,
        lambda: services.minutes_issue(by=request.user, minutes=minutes),
        _("The minutes are issued."),
    )


@login_required
def minutes_pdf(request, pk: int):
    """The 纪要 in the GB/T 9704 format (office.typeset). Issued minutes print as issued: their
    record copy, made at the first print; drafts carry the 草稿 watermark and no number."""
    from .. import typeset
    from ..models import MinutesState

    meeting = _get_meeting_for_user(request, pk)
    minutes = _minutes_of(meeting)
    if minutes.state == MinutesState.ISSUED:
        pdf = services.minutes_print(by=request.user, minutes=minutes).read_pdf()
    else:
        pdf = typeset.ts.typeset(typeset.context(meeting, minutes)).pdf
    return _pdf_response(pdf, f"minutes-{meeting.pk}.pdf")
