"""Supervision pages: the board, opening a task, a task's page and one POST-only view per
transition (STYLE.md, Views): one access line (`_get_task_for_user`: 404 for what the person
may not see), a form, one service, a redirect with a message; a PermissionDenied from a service
is a 403."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from office.files import content_disposition
from office.forms import leaders
from office.models import AuditEntry, TrafficLight
from office.pdf import render_pdf
from office.services import TransitionError

from . import board as boards
from . import services
from .forms import (
    AssignForm,
    CancelForm,
    CompletionForm,
    DecisionForm,
    ExtensionForm,
    NoteForm,
    ProposalRecordForm,
    ReportForm,
    ReviewForm,
    TaskOpenForm,
    WrongReturnForm,
)
from .models import (
    OPEN_STATES,
    PROPOSAL_SOURCES,
    RUNNING_STATES,
    ChaseSlip,
    CompletionReport,
    CompletionState,
    ExtensionState,
    HandlerRole,
    ReportAttachment,
    SupervisionSource,
    SupervisionTask,
    TaskExtension,
    TaskHandler,
    TaskState,
)

PAGE_SIZE = 25
SORTS = {
    "due": ("due_on", "pk"),
    "-due": ("-due_on", "-pk"),
    "opened": ("opened_at", "pk"),
    "-opened": ("-opened_at", "-pk"),
}


def _visible(request):
    return SupervisionTask.objects.visible_to(request.user)


def _get_task_for_user(request, pk: int) -> SupervisionTask:
    """404 for a task the person may not see, so its existence does not leak."""
    task = (
        _visible(request)
        .filter(pk=pk)
        .select_related("leader", "supervisor", "lead_section", "lead_unit", "opened_by")
        .first()
    )
    if task is None:
        raise Http404
    return task


# --- The board -------------------------------------------------------------------------------
def _filtered(request, today):
    qs = _visible(request)
    g = request.GET
    state = g.get("state", "open")
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in TaskState.values:
        qs = qs.filter(state=state)
    unit = g.get("unit", "")
    # A subquery, not a join: no DISTINCT over the unit's tasks before the page is cut.
    if unit.startswith("s:") and unit[2:].isdigit():
        qs = qs.filter(
            pk__in=TaskHandler.objects.filter(section_id=int(unit[2:])).values("task_id")
        )
    elif unit.startswith("u:") and unit[2:].isdigit():
        qs = qs.filter(pk__in=TaskHandler.objects.filter(unit_id=int(unit[2:])).values("task_id"))
    leader = g.get("leader", "")
    if leader.isdigit():
        qs = qs.filter(leader_id=int(leader))
    source = g.get("source", "")
    if source in SupervisionSource.values:
        qs = qs.filter(source=source)
    light = g.get("light", "")
    if light in TrafficLight.values:
        qs = qs.filter(boards.light_q(today)[light])
    q = g.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    filtered = any(g.get(k) for k in ("unit", "leader", "source", "light", "q")) or (
        state != "open"
    )
    return qs, filtered


def _known_count(g, figures, visible) -> int | None:
    """The row count the cached figures already hold for this filter, if any: the open tasks,
    of one light, or of one section or unit."""
    if g.get("state", "open") != "open" or any(g.get(k) for k in ("leader", "source", "q")):
        return None
    light, unit = g.get("light", ""), g.get("unit", "")
    if light and unit:
        return None
    if unit:
        valid = unit[:2] in ("s:", "u:") and unit[2:].isdigit()
        if not valid:
            return None
        by_handler = boards.open_by_handler(visible, everything=True, version=figures["version"])
        return by_handler.get(unit, 0)
    if light in ("", *TrafficLight.values):
        return figures["counts"][light or "open"]
    return None


def _handler_names():
    """Every section and unit by id (in their order), and the active ones as the filter's
    grouped choices (as `office.forms.handler_choices` gives them): two small queries."""
    from office.models import Section, Unit, UnitKind

    sections = {s.pk: s for s in Section.objects.all()}
    units = {u.pk: u for u in Unit.objects.all()}
    grouped = {UnitKind.SUBORDINATE: [], UnitKind.EXTERNAL: []}
    for u in units.values():
        if u.active:
            grouped.setdefault(u.kind, []).append((f"u:{u.pk}", u.short_name or u.name))
    choices = [
        (_("Sections"), [(f"s:{s.pk}", s.name) for s in sections.values() if s.active]),
        (_("Subordinate units"), grouped[UnitKind.SUBORDINATE]),
        (_("Other units"), grouped[UnitKind.EXTERNAL]),
    ]
    return sections, units, choices


class _CountedPaginator(Paginator):
    """A paginator told its row count (the board knows it from its light counts)."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._known = count

    @property
    def count(self) -> int:
        return self._known


@login_required
@require_safe
def board(request):
    """督查督办台账: open tasks with lights, by unit, leader and source; the ranking; charts."""
    now = timezone.now()
    today = timezone.localdate(now)
    qs, filtered = _filtered(request, today)
    sort = request.GET.get("sort", "due")
    sort = sort if sort in SORTS else "due"
    rows = boards.annotate_light(qs.for_board(), today).order_by(*SORTS[sort])
    everything = request.user.has_perm("supervision.view_all_supervisiontask")
    figures = boards.figures(_visible(request), today, everything=everything)
    counts = figures["counts"]
    g = request.GET
    known = _known_count(g, figures, _visible(request)) if everything else None
    if known is not None:
        # The figures counted these very rows: no second count over the open tasks.
        paginator = _CountedPaginator(rows, PAGE_SIZE, count=known)
    else:
        paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(g.get("page"))
    sections, units, unit_choices = _handler_names()
    for task in page.object_list:
        for h in task.handlers.all():
            # Sections and units are a few dozen rows, read once for the filter's choices.
            if h.section_id:
                h.section = sections[h.section_id]
            else:
                h.unit = units[h.unit_id]
    labels = {"red": _("Overdue"), "yellow": _("Due soon"), "green": _("On time")}
    return render(
        request,
        "supervision/board.html",
        {
            "page": page,
            "filtered": filtered,
            "sort": sort,
            "counts": counts,
            "bars": boards.bars_svg({k: counts[k] for k in ("red", "yellow", "green")}, labels),
            "heatmap": boards.heatmap_svg(figures["starts"], figures["monthly"]),
            "ranking": figures["ranking"][:15],
            "unit_choices": unit_choices,
            "leader_choices": list(leaders()),
            "source_choices": SupervisionSource.choices,
            "state_choices": TaskState.choices,
            "can_open": services.can_open(request.user),
            "g": g,
        },
    )


# --- Opening a task --------------------------------------------------------------------------
@login_required
def task_new(request):
    if not services.can_open(request.user):
        raise PermissionDenied
    form = TaskOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_open(
                by=request.user,
                title=data["title"],
                requirements=data["requirements"],
                source=data["source"],
                source_reference=data["source_reference"],
                leader=data["leader"],
                urgent=data["urgent"],
                **form.assignment(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Opened %(n)s.") % {"n": task.number})
            return redirect(task)
    return render(request, "supervision/task_new.html", {"form": form})


# --- A task's page ---------------------------------------------------------------------------
HISTORY = {
    "supervision.open": gettext_lazy("opened"),
    "supervision.assign": gettext_lazy("assigned"),
    "supervision.acknowledge": gettext_lazy("acknowledged"),
    "supervision.report": gettext_lazy("progress reported"),
    "supervision.extension_apply": gettext_lazy("extension applied for"),
    "supervision.extension_check": gettext_lazy("extension checked"),
    "supervision.extension_decide": gettext_lazy("extension decided"),
    "supervision.completion_submit": gettext_lazy("completion reported"),
    "supervision.close": gettext_lazy("verified and closed"),
    "supervision.return": gettext_lazy("completion returned"),
    "supervision.chase": gettext_lazy("chase slip issued"),
    "supervision.urge": gettext_lazy("urged"),
    "supervision.cancel": gettext_lazy("cancelled"),
    "supervision.return_wrong": gettext_lazy("returned as wrongly assigned"),
    "supervision.proposal_record": gettext_lazy("contact or satisfaction recorded"),
}


@login_required
@require_safe
def task_detail(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _render_task(request, task)


def _render_task(request, task: SupervisionTask, bound: dict | None = None):
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    handlers = list(task.handlers.select_related("section", "unit", "acknowledged_by"))
    mine = services.handler_for(user, task)
    lead = next((h for h in handlers if h.role == HandlerRole.LEAD), None)
    manage = services.can_manage(user)
    reports = list(
        task.reports.select_related("author", "handler__section", "handler__unit", "milestone")
        .prefetch_related(Prefetch("attachments", ReportAttachment.objects.order_by("pk")))
        .order_by("submitted_at", "pk")
    )
    extensions = list(task.extensions.select_related("requested_by", "checked_by", "decided_by"))
    pending = next((e for e in extensions if e.is_pending), None)
    completions = list(task.completions.select_related("submitted_by", "reviewed_by"))
    review = next((c for c in completions if c.state == CompletionState.PENDING), None)
    acts_for_lead = lead is not None and services.can_act_for(user, lead)
    proposal = task.source in PROPOSAL_SOURCES
    return_by = (
        services.return_deadline(task, mine)
        if proposal and mine is not None and task.state in RUNNING_STATES
        else None
    )
    can = {
        "assign": manage and task.state == TaskState.OPENED,
        "acknowledge": mine is not None
        and mine.acknowledged_at is None
        and task.state in RUNNING_STATES,
        "report": mine is not None and task.state == TaskState.IN_PROGRESS,
        "extend": acts_for_lead
        and task.state in RUNNING_STATES
        and pending is None
        and task.due_on is not None
        and today <= task.due_on,
        "check": manage and pending is not None and pending.state == ExtensionState.PENDING_CHECK,
        "decide": pending is not None
        and pending.state == ExtensionState.PENDING_APPROVAL
        and services.can_approve_extension(user, task),
        "complete": acts_for_lead and task.state == TaskState.IN_PROGRESS,
        "review": manage and review is not None,
        "cancel": manage and task.state in (TaskState.OPENED, TaskState.ASSIGNED),
        "urge": manage and task.state in RUNNING_STATES,
        "return_wrong": return_by is not None and today <= return_by,
        "proposal_record": proposal
        and task.state in (TaskState.IN_PROGRESS, TaskState.REVIEWING, TaskState.CLOSED)
        and (manage or (lead is not None and services.is_member(user, lead))),
    }
    forms = {
        "assign_form": bound.get("assign") or AssignForm(),
        "ack_form": NoteForm(auto_id="id_ack_%s"),
        "report_form": bound.get("report") or ReportForm(task=task),
        "extension_form": bound.get("extension") or ExtensionForm(),
        "check_form": DecisionForm(auto_id="id_check_%s"),
        "decide_form": DecisionForm(auto_id="id_decide_%s"),
        "completion_form": bound.get("completion") or CompletionForm(),
        "review_form": ReviewForm(auto_id="id_review_%s"),
        "cancel_form": CancelForm(auto_id="id_cancel_%s"),
        "urge_form": NoteForm(auto_id="id_urge_%s"),
        "return_form": bound.get("return_wrong") or WrongReturnForm(auto_id="id_return_%s"),
        "proposal_form": bound.get("proposal")
        or ProposalRecordForm(
            initial={"contacted_on": task.contacted_on, "satisfaction": task.satisfaction}
        ),
    }
    history = AuditEntry.objects.filter(
        object_type=SupervisionTask._meta.label_lower,
        object_id=str(task.pk),
        action__in=list(HISTORY),
    ).order_by("at", "pk")
    source = task.source_object if task.source_type_id else None
    return render(
        request,
        "supervision/task_detail.html",
        {
            "task": task,
            "light": task.light_on(today),
            "handlers": handlers,
            "milestones": list(task.milestones.all()),
            "reports": reports,
            "extensions": extensions,
            "pending": pending,
            "completions": completions,
            "review": review,
            "slips": list(task.slips.all()),
            "returns": list(task.returns.select_related("section", "unit", "returned_by")),
            "return_by": return_by,
            "proposal": proposal,
            "source_url": getattr(source, "get_absolute_url", lambda: "")() if source else "",
            "history": [(e, HISTORY[e.action]) for e in history],
            "can": can,
            "has_actions": any(can.values()),
            **forms,
        },
    )


# --- Transitions -----------------------------------------------------------------------------
def _run(request, task, form, key: str, call, success: str):
    """Form → one service → redirect with a message; bad input re-renders with what was typed."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(task)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(task)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _render_task(request, task, {key: form})


@login_required
@require_POST
def task_assign(request, pk: int):
    task = _get_task_for_user(request, pk)
    form = AssignForm(request.POST)
    return _run(
        request,
        task,
        form,
        "assign",
        lambda d: services.task_assign(task=task, by=request.user, **form.assignment()),
        _("Assigned."),
    )


@login_required
@require_POST
def task_acknowledge(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _run(
        request,
        task,
        NoteForm(request.POST),
        "ack",
        lambda d: services.task_acknowledge(task=task, by=request.user),
        _("Acknowledged."),
    )


@login_required
@require_POST
def task_report(request, pk: int):
    task = _get_task_for_user(request, pk)
    form = ReportForm(request.POST, request.FILES, task=task)
    return _run(
        request,
        task,
        form,
        "report",
        lambda d: services.report_submit(
            task=task,
            by=request.user,
            text=d["text"],
            files=d["files"],
            milestone=d["milestone"],
        ),
        _("Progress reported."),
    )


@login_required
@require_POST
def extension_apply(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _run(
        request,
        task,
        ExtensionForm(request.POST),
        "extension",
        lambda d: services.extension_apply(task=task, by=request.user, **d),
        _("The extension request is sent to the supervision section."),
    )


def _get_extension(request, pk: int) -> TaskExtension:
    ext = TaskExtension.objects.filter(pk=pk, task__in=_visible(request)).first()
    if ext is None:
        raise Http404
    return ext


@login_required
@require_POST
def extension_check(request, pk: int):
    ext = _get_extension(request, pk)
    task = _get_task_for_user(request, ext.task_id)
    return _run(
        request,
        task,
        DecisionForm(request.POST),
        "check",
        lambda d: services.extension_check(
            extension=ext, by=request.user, approve=d["decision"] == "approve", note=d["note"]
        ),
        _("Checked."),
    )


@login_required
@require_POST
def extension_decide(request, pk: int):
    ext = _get_extension(request, pk)
    task = _get_task_for_user(request, ext.task_id)
    return _run(
        request,
        task,
        DecisionForm(request.POST),
        "decide",
        lambda d: services.extension_decide(
            extension=ext, by=request.user, approve=d["decision"] == "approve", note=d["note"]
        ),
        _("Decided."),
    )


@login_required
@require_POST
def completion_submit(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _run(
        request,
        task,
        CompletionForm(request.POST),
        "completion",
        lambda d: services.completion_submit(task=task, by=request.user, text=d["text"]),
        _("The completion report is sent to the supervision section."),
    )


@login_required
@require_POST
def completion_review(request, pk: int):
    report = CompletionReport.objects.filter(pk=pk, task__in=_visible(request)).first()
    if report is None:
        raise Http404
    task = _get_task_for_user(request, report.task_id)
    return _run(
        request,
        task,
        ReviewForm(request.POST),
        "review",
        lambda d: services.completion_review(
            report=report,
            by=request.user,
            accept=d["decision"] == "accept",
            note=d["note"],
            grade=d["grade"],
        ),
        _("Reviewed."),
    )


@login_required
@require_POST
def task_cancel(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _run(
        request,
        task,
        CancelForm(request.POST),
        "cancel",
        lambda d: services.task_cancel(task=task, by=request.user, reason=d["reason"]),
        _("Cancelled."),
    )


@login_required
@require_POST
def task_urge(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _run(
        request,
        task,
        NoteForm(request.POST),
        "urge",
        lambda d: services.task_urge(task=task, by=request.user, message=d["note"]),
        _("Urged."),
    )


@login_required
@require_POST
def task_return_wrong(request, pk: int):
    task = _get_task_for_user(request, pk)
    response = _run(
        request,
        task,
        WrongReturnForm(request.POST),
        "return_wrong",
        lambda d: services.task_return_wrong(task=task, by=request.user, reason=d["reason"]),
        _("Returned to the supervision section as wrongly assigned."),
    )
    if response.status_code == 302 and not _visible(request).filter(pk=task.pk).exists():
        return redirect("supervision:index")  # no longer this unit's task to see
    return response


@login_required
@require_POST
def proposal_record(request, pk: int):
    task = _get_task_for_user(request, pk)
    return _run(
        request,
        task,
        ProposalRecordForm(request.POST),
        "proposal",
        lambda d: services.proposal_record(task=task, by=request.user, **d),
        _("Recorded."),
    )


@login_required
@require_safe
def proposals(request):
    """建议提案办理: per lead unit, the suggestions and proposals with the targets of DOMAIN.md
    §5.1 — contact with the deputy or member 100 %, reply 100 %, satisfaction — computed from
    the records in one grouped query (of the year chosen, by the day received)."""
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
    everything = request.user.has_perm("supervision.view_all_supervisiontask")
    rows, total = boards.proposal_figures(_visible(request), year, everything=everything)
    return render(
        request,
        "supervision/proposals.html",
        {
            "rows": rows,
            "total": total,
            "year": year,
            "years": range(today.year, today.year - 5, -1),
        },
    )


# --- Files ------------------------------------------------------------------------------------
@login_required
@require_safe
def attachment(request, pk: int):
    """A progress report's file, for whoever may see the task (S-24, S-25)."""
    att = (
        ReportAttachment.objects.filter(pk=pk, report__task__in=_visible(request))
        .select_related("report")
        .first()
    )
    if att is None:
        raise Http404
    response = FileResponse(att.file.open("rb"), content_type=att.content_type)
    response["Content-Disposition"] = content_disposition(att.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def slip_pdf(request, pk: int):
    """督查单 as a PDF: the fixed Chinese form, for whoever may see the task."""
    slip = (
        ChaseSlip.objects.filter(pk=pk, task__in=_visible(request))
        .select_related("task__leader")
        .first()
    )
    if slip is None:
        raise Http404
    context = {
        "slip": slip,
        "task": slip.task,
        "handlers": list(slip.task.handlers.select_related("section", "unit")),
        "office_name": settings.OFFICE_NAME,
    }
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_pdf("supervision/pdf/slip.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{slip.number}.pdf", inline=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def from_instruction(request, pk: int):
    """督办 with one click from a leader's instruction on an incoming document."""
    from documents.models import IncomingDocument, Instruction

    instruction = (
        Instruction.objects.filter(
            pk=pk, document__in=IncomingDocument.objects.visible_to(request.user)
        )
        .select_related("document", "leader")
        .first()
    )
    if instruction is None:
        raise Http404
    try:
        task = services.task_open_from_instruction(by=request.user, instruction=instruction)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        return redirect(instruction.document)
    messages.success(request, _("Opened %(n)s.") % {"n": task.number})
    return redirect(task)
