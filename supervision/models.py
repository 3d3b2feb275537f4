"""Supervised tasks (督办事项) from every source to closure (DOMAIN.md §5.1–5.3).

Lifecycle (§5.2): 立项 (opened) → 交办 (assigned to a lead unit and assisting units, with a final
deadline, milestones and a reporting cycle) → 签收 (the lead acknowledges: in progress) →
反馈 (progress reports on the cycle) → 延期申请 (before the deadline; the supervisor checks, the
leader approves) → 办结报告 (reviewing) → 销号 (closed) or returned (in progress again).

Every transition is a function in `supervision.services`; nothing else assigns `state`. The work
the units must do is a work item on the spine (`office.WorkItem`): handling, and the next
progress report, so the inbox, the spine's sweep and the 限时办结 register see it. The chase slips
(三色督查单, §5.3) are issued by `supervision.chase.sweep`, once per level (a unique constraint).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.classification import classification_constraint, classification_field
from office.models import Section, TrafficLight, Unit, WorkItem

# The warning window (黄灯): this many days before the deadline (DOMAIN.md §5.3: "3 days").
WARNING_DAYS_DEFAULT = 3


def warning_days() -> int:
    return getattr(settings, "SUPERVISION_WARNING_DAYS", WARNING_DAYS_DEFAULT)


class SupervisionSource(models.TextChoices):
    """Where a supervised item comes from (DOMAIN.md §5.1)."""

    INSTRUCTION = "instruction", _("leader's instruction")
    MEETING_DECISION = "meeting_decision", _("meeting decision")
    HIGHER_LEVEL = "higher_level", _("assigned by a higher level")
    NPC_SUGGESTION = "npc_suggestion", _("People's Congress deputy's suggestion")
    CPPCC_PROPOSAL = "cppcc_proposal", _("CPPCC member's proposal")
    HOTLINE = "hotline", _("hotline")
    OWN = "own", _("section's own initiative")


PROPOSAL_SOURCES = (SupervisionSource.NPC_SUGGESTION, SupervisionSource.CPPCC_PROPOSAL)


class TaskState(models.TextChoices):
    """States and the transitions `supervision.services` allows:

    opened → assigned (交办) | cancelled
    assigned → in_progress (the lead unit acknowledges, 签收) | cancelled
    in_progress → reviewing (办结报告 submitted)
    reviewing → closed (the supervisor verifies, 销号) | in_progress (returned)
    """

    OPENED = "opened", pgettext_lazy("supervision state", "opened")
    ASSIGNED = "assigned", _("assigned, awaiting acknowledgement")
    IN_PROGRESS = "in_progress", _("in progress")
    REVIEWING = "reviewing", _("completion under review")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATES = (TaskState.OPENED, TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.REVIEWING)
# While a unit is working on it: its deadline runs and chase slips may be issued.
RUNNING_STATES = (TaskState.ASSIGNED, TaskState.IN_PROGRESS)


class ReportingCycle(models.TextChoices):
    """How often the lead unit reports progress (DOMAIN.md §5.1: monthly by the 5th etc.)."""

    NONE = "none", _("only at completion")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly, by the 5th")
    QUARTERLY = "quarterly", _("quarterly")


class ChaseLevel(models.IntegerChoices):
    """三色督查单 (DOMAIN.md §5.3): blue reminder → orange warning with a fixed date → red serious
    warning to the leader in charge."""

    NONE = 0, _("none")
    BLUE = 1, _("blue (reminder)")
    ORANGE = 2, _("orange (warning)")
    RED = 3, _("red (serious warning)")


class Grade(models.TextChoices):
    """How a reply to a suggestion or proposal is graded (DOMAIN.md §5.1)."""

    A = "A", _("A: solved or basically solved")
    B = "B", _("B: being solved or planned")
    C = "C", _("C: not possible now")
    D = "D", _("D: kept for reference")


class Satisfaction(models.TextChoices):
    """What the deputy or member thinks of the reply (满意度, DOMAIN.md §5.1)."""

    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("not satisfied")


# 建议提案: a unit that received one wrongly says so within this many days (DOMAIN.md §5.1).
WRONG_RETURN_DAYS_DEFAULT = 10


def wrong_return_days() -> int:
    return getattr(settings, "SUPERVISION_WRONG_RETURN_DAYS", WRONG_RETURN_DAYS_DEFAULT)


class SupervisionTaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> SupervisionTaskQuerySet:
        """The tasks `user` may see, as ONE subquery on TaskHandler (S-11): everything for the
        supervision section and the leaders; otherwise the tasks given to one's section or unit,
        and those one opened, leads or supervises."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.has_perm("supervision.view_all_supervisiontask"):
            return self.all()
        from office.services.workitems import staff_of

        staff = staff_of(user)
        mine = Q(opened_by=user) | Q(leader=user) | Q(supervisor=user)
        handler = Q(pk__in=[])
        if staff is not None and staff.section_id:
            handler |= Q(section_id=staff.section_id)
        if staff is not None and staff.unit_id:
            handler |= Q(unit_id=staff.unit_id)
        if staff is not None:
            handler |= Q(section__head=staff)
        by_handler = TaskHandler.objects.filter(handler).values("task_id")
        return self.filter(mine | Q(pk__in=by_handler))

    def open(self) -> SupervisionTaskQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def for_source(self, obj) -> SupervisionTaskQuerySet:
        """The tasks opened from `obj` (a document, a meeting decision, …)."""
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(source_type=ct, source_id=obj.pk)

    def for_board(self) -> SupervisionTaskQuerySet:
        """What a board row shows: the leader, and the handlers (their sections and units are
        attached by the view from the few dozen it reads for the filter)."""
        return self.select_related("leader").prefetch_related("handlers")


class SupervisionTask(models.Model):
    """One supervised item (一事一单)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    requirements = models.TextField(_("requirements"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=SupervisionSource.choices)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")
    source_reference = models.CharField(_("source reference"), max_length=200, blank=True)

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_tasks_led",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_tasks_supervised",
    )
    lead_section = models.ForeignKey(
        Section,
        verbose_name=_("lead section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    # Where the chase slips start: urgent items may start at orange or red (§5.3).
    chase_start = models.PositiveSmallIntegerField(
        _("first chase slip"), choices=ChaseLevel.choices, default=ChaseLevel.BLUE
    )
    chase_level = models.PositiveSmallIntegerField(
        _("chase level"), choices=ChaseLevel.choices, default=ChaseLevel.NONE, editable=False
    )
    # The date the last chase slip gave (the orange slip's fixed date); past it, the next slip.
    chase_respond_by = models.DateField(null=True, blank=True, editable=False)
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    original_due_on = models.DateField(_("original deadline"), null=True, blank=True)
    reporting_cycle = models.CharField(
        _("reporting cycle"),
        max_length=12,
        choices=ReportingCycle.choices,
        default=ReportingCycle.NONE,
    )
    next_report_on = models.DateField(_("next progress report due"), null=True, blank=True)
    last_report_at = models.DateTimeField(_("last progress report"), null=True, blank=True)

    state = models.CharField(
        _("state"), max_length=12, choices=TaskState.choices, default=TaskState.OPENED
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set at closing: was the completion report in by the (possibly extended) deadline?
    on_time = models.BooleanField(_("completed on time"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # 建议提案 (DOMAIN.md §5.1): the day the lead unit contacted the deputy or member, and what
    # they thought of the reply — the figures behind the 100 % contact / reply targets.
    contacted_on = models.DateField(_("deputy or member contacted on"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )

    objects = SupervisionTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervised task")
        verbose_name_plural = _("supervised tasks")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            ("open_supervisiontask", _("Can open supervised tasks (立项)")),
            ("manage_supervisiontask", _("Can assign, chase and close supervised tasks")),
            ("view_all_supervisiontask", _("Can view all supervised tasks")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=TaskState.values), name="supervisiontask_state_valid"
            ),
            models.CheckConstraint(
                condition=~(Q(lead_section__isnull=False) & Q(lead_unit__isnull=False)),
                name="supervisiontask_one_lead",
            ),
            models.CheckConstraint(
                condition=Q(state=TaskState.OPENED)
                | Q(state=TaskState.CANCELLED)
                | (
                    (Q(lead_section__isnull=False) | Q(lead_unit__isnull=False))
                    & Q(due_on__isnull=False)
                ),
                name="supervisiontask_assigned_has_lead_and_due",
            ),
            models.CheckConstraint(
                condition=Q(state=TaskState.CLOSED, closed_at__isnull=False)
                | (~Q(state=TaskState.CLOSED) & Q(closed_at__isnull=True))
                | Q(state=TaskState.CANCELLED),
                name="supervisiontask_closed_iff_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(chase_start__gte=1, chase_start__lte=3),
                name="supervisiontask_chase_start_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(state__in=["opened", "assigned", "in_progress", "reviewing"]),
                name="supervisiontask_open_due",
            ),
            models.Index(fields=["source_type", "source_id"], name="supervisiontask_source"),
            models.Index(fields=["closed_at"], name="supervisiontask_closed_at"),
            models.Index(fields=["leader", "state"], name="supervisiontask_leader"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:task", args=[self.pk])

    @property
    def lead(self) -> Section | Unit | None:
        return self.lead_section or self.lead_unit

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def light_on(self, today: dt.date) -> str | None:
        """红黄绿灯 on `today`: red overdue or behind (a missed progress report), yellow within
        the warning window, green on track; None when closed or without a deadline."""
        if self.state not in OPEN_STATES or self.due_on is None:
            return None
        if self.state != TaskState.REVIEWING:
            if today > self.due_on:
                return TrafficLight.RED
            if self.next_report_on is not None and today > self.next_report_on:
                return TrafficLight.RED
        if self.state == TaskState.REVIEWING:
            return TrafficLight.GREEN
        from .dates import yellow_until

        if self.due_on <= yellow_until(today):
            return TrafficLight.YELLOW
        return TrafficLight.GREEN

    @property
    def light(self) -> str | None:
        return self.light_on(timezone.localdate())

    @property
    def report_overdue(self) -> bool:
        return (
            self.state in RUNNING_STATES
            and self.next_report_on is not None
            and timezone.localdate() > self.next_report_on
        )


class HandlerRole(models.TextChoices):
    LEAD = "lead", _("lead (主办)")
    ASSIST = "assist", _("assisting (协办)")


class TaskHandler(models.Model):
    """A section or unit the task is given to: the lead (主办) or an assisting one (协办)."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="handlers")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=HandlerRole.choices)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("task handler")
        verbose_name_plural = _("task handlers")
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(section__isnull=False) & Q(unit__isnull=True))
                | (Q(section__isnull=True) & Q(unit__isnull=False)),
                name="taskhandler_section_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["task", "section"],
                condition=Q(section__isnull=False),
                name="taskhandler_once_per_section",
            ),
            models.UniqueConstraint(
                fields=["task", "unit"],
                condition=Q(unit__isnull=False),
                name="taskhandler_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["task"], condition=Q(role="lead"), name="taskhandler_one_lead"
            ),
        ]
        indexes = [
            models.Index(fields=["section", "task"], name="taskhandler_section"),
            models.Index(fields=["unit", "task"], name="taskhandler_unit"),
        ]

    def __str__(self) -> str:
        return str(self.handler)

    @property
    def handler(self) -> Section | Unit:
        return self.section or self.unit

    @property
    def short_name(self) -> str:
        if self.section_id:
            return self.section.name
        return self.unit.short_name or self.unit.name


class WrongAssignment(models.Model):
    """退回: a unit that received a suggestion or proposal wrongly sent it back within the time
    allowed (DOMAIN.md §5.1); its handler row is removed, this row keeps the record."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="returns")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=HandlerRole.choices)
    reason = models.TextField(_("reason"))
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned at"))
    assigned_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("wrongly assigned task returned")
        verbose_name_plural = _("wrongly assigned tasks returned")
        ordering = ["returned_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(section__isnull=False) & Q(unit__isnull=True))
                | (Q(section__isnull=True) & Q(unit__isnull=False)),
                name="wrongassignment_section_xor_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.section or self.unit}"

    @property
    def handler(self) -> Section | Unit:
        return self.section or self.unit


class Milestone(models.Model):
    """A stage of the work with its own date (阶段目标)."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("date"))
    reached_at = models.DateTimeField(_("reached at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """进展反馈: what a handler has done so far."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="reports")
    handler = models.ForeignKey(TaskHandler, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("progress"))
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    # The report date it answered (None: an extra report outside the cycle).
    for_report_on = models.DateField(null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["task", "submitted_at"], name="progressreport_task")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.submitted_at:%Y-%m-%d}"


class ReportAttachment(models.Model):
    """A file with a progress report, stored under a generated name (S-21…S-25)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="supervision/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    # 密级: 非密 only — this system is not approved for state secrets (issue 15; S-15b).
    classification = classification_field()

    class Meta:
        constraints = [classification_constraint("supervision_attachment_non_classified")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ExtensionState(models.TextChoices):
    """pending_check → pending_approval (the supervisor's check) | rejected;
    pending_approval → approved | rejected (the leader in charge)."""

    PENDING_CHECK = "pending_check", _("awaiting the supervisor's check")
    PENDING_APPROVAL = "pending_approval", _("awaiting the leader's approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class TaskExtension(models.Model):
    """延期申请: applied for before the deadline, with reason, new date and progress."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    reason = models.TextField(_("reason"))
    progress = models.TextField(_("progress so far"))
    old_due_on = models.DateField(_("current deadline"))
    new_due_on = models.DateField(_("new deadline"))
    state = models.CharField(
        max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING_CHECK
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state__in=["pending_check", "pending_approval"]),
                name="taskextension_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(new_due_on__gt=models.F("old_due_on")),
                name="taskextension_later_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.new_due_on}"

    @property
    def is_pending(self) -> bool:
        return self.state in (ExtensionState.PENDING_CHECK, ExtensionState.PENDING_APPROVAL)


class CompletionState(models.TextChoices):
    PENDING = "pending", _("awaiting verification")
    ACCEPTED = "accepted", _("verified and closed")
    RETURNED = "returned", _("returned")


class CompletionReport(models.Model):
    """办结报告: the lead unit reports the work done; the supervisor verifies and closes (销号)
    or returns it."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="completions")
    text = models.TextField(_("completion report"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    state = models.CharField(
        max_length=12, choices=CompletionState.choices, default=CompletionState.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("completion report")
        verbose_name_plural = _("completion reports")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(state="pending"), name="completion_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.submitted_at:%Y-%m-%d}"


class ChaseSlip(models.Model):
    """A 督查单 of one colour, issued at most once per task (the unique constraint is what makes
    the sweep issue it exactly once, whatever runs concurrently)."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="slips")
    level = models.PositiveSmallIntegerField(choices=ChaseLevel.choices)
    number = models.CharField(max_length=40)
    issued_at = models.DateTimeField()
    # The deadline the slip states: the task's for blue and red, a fixed new date for orange.
    respond_by = models.DateField(_("respond by"))
    text = models.TextField()

    class Meta:
        verbose_name = _("chase slip")
        verbose_name_plural = _("chase slips")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "level"], name="chaseslip_once_per_level"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="chaseslip_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_level_display()}"

    @property
    def colour(self) -> str:
        return {1: "blue", 2: "orange", 3: "red"}[self.level]


class BulletinState(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")


class Bulletin(models.Model):
    """督查通报: generated monthly from the records; the supervisor edits the commentary, then
    issues it (read-only from then on)."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    number = models.CharField(_("number"), max_length=40, blank=True)
    commentary = models.TextField(_("commentary"), blank=True)
    figures = models.JSONField(default=dict)
    state = models.CharField(
        max_length=8, choices=BulletinState.choices, default=BulletinState.DRAFT
    )
    # None: drafted by the monthly beat job.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="bulletin_once_per_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="bulletin_month_range"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("supervision:bulletin", args=[self.pk])


class BoardVersion(models.Model):
    """One row: the version the board's cached figures are keyed by. Every transition moves it
    in its own transaction (`services.bump_board`), so a rolled-back transition leaves it and a
    committed one shows on the board at once."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0
