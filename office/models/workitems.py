"""Work items: the one to-do table every app writes to (ARCHITECTURE.md, "The shared spine").

Apps never keep deadline columns or reminder jobs of their own: they open a work item through
`office.services.workitems` and close it there. The inbox, the deadline sweep and the monthly
限时办结 register are all queries on this table.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkState(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class WorkKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    PETITION = "petition", _("petition")
    MEETING = "meeting", _("meeting")
    SUPERVISION = "supervision", _("supervision")
    DISCLOSURE = "disclosure", _("disclosure request")
    INQUIRY = "inquiry", _("inquiry")
    OTHER = "other", _("other")


class WorkAction(models.TextChoices):
    REGISTER = "register", _("register")
    SCREEN = "screen", _("screen")
    APPROVE = "approve", _("approve")
    READ = "read", _("read")
    HANDLE = "handle", _("handle")
    REVIEW = "review", _("review")
    REPLY = "reply", _("reply")
    REPORT = "report", _("report")
    SIGN = "sign", _("sign off")
    FILE = "file", _("file")
    OTHER = "other", _("other")


class Urgency(models.TextChoices):
    """紧急程度 (GB/T 9704-2012 7.2.4): 特急 before 加急 before 平件."""

    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    EXTRA_URGENT = "extra_urgent", _("extra urgent")


URGENCY_PRIORITY = {Urgency.NORMAL: 1, Urgency.URGENT: 2, Urgency.EXTRA_URGENT: 3}


class SweepLevel(models.IntegerChoices):
    """The deadline ladder, climbed one rung at a time by the sweep (office.sweep)."""

    NONE = 0, _("none")
    REMINDED = 1, _("reminded")
    OVERDUE = 2, _("overdue")
    SECTION_HEAD = 3, _("escalated to the section head")
    LEADER = 4, _("escalated to the leader in charge")


class TrafficLight(models.TextChoices):
    GREEN = "green", _("on time")
    YELLOW = "yellow", _("due soon")
    RED = "red", _("overdue")


def waiting_for_parts(user, staff) -> list[Q]:
    """`WorkItemQuerySet.waiting_for` as disjoint parts, each one range of one partial index:
    given to the person; given to their section, or their unit, with nobody named yet. One OR
    across them cannot be read in index order (see views_work.InOrder)."""
    from office.owners import openable_q

    parts = [Q(assignee=user)]
    section_id = staff.section_id if staff is not None else None
    # Work given to the section or unit as a whole shows only where the person may open its
    # object (office.owners): what they see in the inbox, they can open.
    openable = openable_q(user) if staff is not None and (section_id or staff.unit_id) else Q()
    if section_id:
        parts.append(Q(assignee__isnull=True, section_id=section_id) & openable)
    if staff is not None and staff.unit_id:
        unit = Q(assignee__isnull=True, unit_id=staff.unit_id)
        parts.append((unit & ~Q(section_id=section_id) if section_id else unit) & openable)
    return parts


class WorkItemQuerySet(models.QuerySet):
    def open(self) -> WorkItemQuerySet:
        return self.filter(state=WorkState.OPEN)

    def for_inbox(self) -> WorkItemQuerySet:
        """What an inbox row shows, in a constant number of queries; 特急 first, then due."""
        return self.select_related("assignee", "section", "unit", "rule").order_by(
            "-priority", models.F("due_at").asc(nulls_last=True), "pk"
        )

    def waiting_for(self, user, staff=None) -> WorkItemQuerySet:
        """Open work for this person: assigned to them, or to their section or unit with no
        person named yet."""
        q = Q()
        for part in waiting_for_parts(user, staff):
            q |= part
        return self.open().filter(q)

    def count_waiting_for(self, user, staff=None) -> int:
        """`waiting_for(...).count()` in one query of index-only counts, part by part (a count
        over the OR reads every matching row: 250 ms cold for a busy person at 1M items)."""
        ones = [
            self.open().filter(p).order_by().values(one=models.Value(1))
            for p in waiting_for_parts(user, staff)
        ]
        return ones[0].union(*ones[1:], all=True).count() if len(ones) > 1 else ones[0].count()

    def of_section(self, section_id: int) -> WorkItemQuerySet:
        return self.open().filter(section_id=section_id)

    def assigned_by(self, user) -> WorkItemQuerySet:
        return self.filter(assigned_by=user)

    def done_by(self, user) -> WorkItemQuerySet:
        return self.filter(state=WorkState.DONE, completed_by=user)


class WorkItem(models.Model):
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkKind.choices)
    action = models.CharField(_("action"), max_length=20, choices=WorkAction.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    url = models.CharField(_("link"), max_length=300, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
    )
    section = models.ForeignKey(
        "office.Section",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
    )
    unit = models.ForeignKey(
        "office.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_work_items",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_work_items",
    )
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    priority = models.PositiveSmallIntegerField(default=1, editable=False)

    rule = models.ForeignKey(
        "office.TimeLimitRule",
        verbose_name=_("time-limit rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_items",
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalate_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalate_leader_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The sweep's position on the ladder; `cycle` restarts it after an extension or resume.
    sweep_cycle = models.PositiveSmallIntegerField(default=0, editable=False)
    sweep_level = models.PositiveSmallIntegerField(
        default=SweepLevel.NONE, choices=SweepLevel.choices, editable=False
    )
    next_sweep_at = models.DateTimeField(null=True, blank=True, editable=False)

    state = models.CharField(
        _("state"), max_length=20, choices=WorkState.choices, default=WorkState.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completed_work_items",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    # The deadline was counted across a provisional calendar year (暂定, office.workcalendar) and
    # will be counted again when that year is confirmed, by replaying `due_basis`: the rule, the
    # start, then each extension (units) and each stopped clock (seconds) in order.
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)
    due_basis = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        permissions = [
            ("urge_workitem", _("Can urge work items (催办)")),
            ("view_register", _("Can view the monthly time-limit register")),
            ("view_all_workitems", _("Can view all work items")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False)
                | Q(section__isnull=False)
                | Q(unit__isnull=False),
                name="workitem_has_someone",
            ),
            models.CheckConstraint(
                condition=Q(state__in=WorkState.values), name="workitem_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=WorkState.OPEN, completed_at__isnull=True)
                | (~Q(state=WorkState.OPEN) & Q(completed_at__isnull=False)),
                name="workitem_completed_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=3), name="workitem_priority_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(state="open", due_provisional=True),
                name="workitem_open_provisional",
            ),
            models.Index(
                fields=["assignee", "-priority", "due_at"],
                condition=Q(state="open"),
                name="workitem_open_by_assignee",
            ),
            models.Index(
                fields=["section", "-priority", "due_at"],
                condition=Q(state="open"),
                name="workitem_open_by_section",
            ),
            models.Index(
                fields=["unit", "-priority", "due_at"],
                condition=Q(state="open"),
                name="workitem_open_by_unit",
            ),
            # The inbox's 待办 reads "the section's work with nobody named yet" on its own (see
            # views_work.InOrder): in order for a page, index-only for the count.
            models.Index(
                fields=["section", "-priority", "due_at"],
                condition=Q(state="open", assignee__isnull=True),
                name="workitem_open_unassigned",
            ),
            models.Index(
                fields=["next_sweep_at"],
                condition=Q(state="open", paused_at__isnull=True, next_sweep_at__isnull=False),
                name="workitem_sweep_due",
            ),
            models.Index(fields=["completed_by", "-completed_at"], name="workitem_done_by"),
            models.Index(fields=["assigned_by", "state"], name="workitem_assigned_by"),
            models.Index(fields=["content_type", "object_id"], name="workitem_subject"),
            models.Index(fields=["due_at"], name="workitem_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def light(self, now) -> str | None:
        """Traffic light: red overdue, yellow inside the reminder window, green otherwise."""
        if self.state != WorkState.OPEN or self.due_at is None:
            return None
        reference = self.paused_at or now
        if reference >= self.due_at:
            return TrafficLight.RED
        if self.remind_at is not None and reference >= self.remind_at:
            return TrafficLight.YELLOW
        return TrafficLight.GREEN


class WorkItemEventKind(models.TextChoices):
    OPEN = "open", _("opened")
    COMPLETE = "complete", _("completed")
    CANCEL = "cancel", _("cancelled")
    REASSIGN = "reassign", _("reassigned")
    PAUSE = "pause", _("paused")
    RESUME = "resume", _("resumed")
    EXTEND = "extend", _("extended")
    RESCHEDULE = "reschedule", _("deadline moved")
    URGE = "urge", _("urged")


class WorkItemEvent(models.Model):
    """The history of one work item: pauses, extensions, reassignments, urging."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=WorkItemEventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    old_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("work item event")
        verbose_name_plural = _("work item events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class DeadlineMarker(models.Model):
    """One row per rung of the ladder reached, per cycle. The unique constraint is what makes
    the sweep send each reminder and escalation exactly once, whatever runs concurrently."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="+")
    cycle = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(choices=SweepLevel.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("deadline marker")
        verbose_name_plural = _("deadline markers")
        constraints = [
            models.UniqueConstraint(
                fields=["work_item", "cycle", "level"], name="deadlinemarker_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_item_id}/{self.cycle}/{self.get_level_display()}"
