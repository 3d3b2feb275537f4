"""Meetings (会议): kinds, rooms, meetings, agenda items (议题), attendance, records, decisions
(议定事项) and minutes (纪要).

The rules come from DOMAIN.md §6.1: a quorum is more than half of the members; briefing papers
are due 3 days before the meeting and at most 3,000 characters; the secretary-general (秘书长)
checks each item and the mayor sets the agenda, which after approval changes only with the
mayor's approval; two recorders take the record; each item gets an outcome (通过 / 原则通过 /
不通过 / 其他) and its decisions, each with a responsible section or unit and a deadline; the
纪要 is checked by the secretary-general, signed by the mayor (常务会议) or the chairing leader,
and issued with a gapless number per kind and year.

Every change goes through `meetings.services`; nothing else assigns a `state`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from office.classification import classification_constraint, classification_field
from office.models import Section, Unit


class NumberStyle(models.TextChoices):
    """How a kind numbers its minutes: 〔2026〕第3次 (常务会议) or 〔2026〕第3号."""

    SESSION = "session", _("〔year〕No. N session (第N次)")
    NUMBER = "number", _("〔year〕No. N (第N号)")


class MeetingKind(models.Model):
    """常务会议, 全体会议, 政务会议, 专题会议, 市长办公会议: configured by the system admin."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    minutes_title = models.CharField(
        _("minutes mark"),
        max_length=60,
        help_text=_("The red mark of the minutes, e.g. 乌兰浩特市人民政府常务会议纪要."),
    )
    number_style = models.CharField(
        _("minutes numbering"), max_length=10, choices=NumberStyle.choices
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="meeting_kinds",
        blank=True,
        help_text=_("Members with a vote; a quorum is more than half of them."),
    )
    standing_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("standing attendees (列席)"),
        related_name="meeting_kinds_attended",
        blank=True,
        help_text=_("Attend every meeting of this kind without a vote."),
    )
    mayor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader who sets the agenda"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The mayor: sets the agenda, approves late papers and agenda changes."),
    )
    secretary_general = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("secretary-general"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Checks the agenda items and the minutes."),
    )
    signed_by_chair = models.BooleanField(
        _("minutes signed by the chair"),
        default=False,
        help_text=_(
            "Off: the mayor signs the minutes (常务会议). On: the chairing leader signs them."
        ),
    )
    paper_limit = models.PositiveIntegerField(_("briefing paper limit (characters)"), default=3000)
    paper_deadline_days = models.PositiveSmallIntegerField(
        _("papers due (days before the meeting)"), default=3
    )
    notice_workdays = models.PositiveSmallIntegerField(
        _("notices (working days before the meeting)"), default=1
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    class Meta:
        verbose_name = _("meeting kind")
        verbose_name_plural = _("meeting kinds")
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name

    def quorum(self, members: int | None = None) -> int:
        """More than half of the members (DOMAIN.md §6.1): 5 of 9, 5 of 8."""
        n = self.members.count() if members is None else members
        return n // 2 + 1


class Room(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    capacity = models.PositiveSmallIntegerField(_("seats"), default=20)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingState(models.TextChoices):
    """planned → agenda_approved (the mayor sets the agenda) → notified (notices sent)
    → held (the record is closed) → closed (the minutes are issued). cancelled from the first three."""

    PLANNED = "planned", _("collecting agenda items")
    AGENDA_APPROVED = "agenda_approved", _("agenda approved")
    NOTIFIED = "notified", _("notices sent")
    HELD = "held", _("held")
    CLOSED = "closed", _("minutes issued")
    CANCELLED = "cancelled", _("cancelled")


def taking_part_q(user, *, leading: bool = False) -> Q:
    """Meetings a person takes part in: as chair, member or 列席 of the kind, on the attendance
    list, as a recorder (and, with `leading`, as the kind's mayor or secretary-general). Each
    part is a small indexed subquery; one OR of joins over every many-to-many table would
    multiply the rows before it filters them."""
    kinds = MeetingKind.objects.filter(Q(members=user) | Q(standing_attendees=user))
    if leading:
        kinds = MeetingKind.objects.filter(
            Q(members=user) | Q(standing_attendees=user) | Q(mayor=user) | Q(secretary_general=user)
        )
    return (
        Q(chair=user)
        | Q(kind__in=kinds.values("pk"))
        | Q(pk__in=Attendance.objects.filter(user=user).values("meeting_id"))
        | Q(pk__in=Meeting.recorders.through.objects.filter(user=user).values("meeting_id"))
    )


def _section_items_q(section_id) -> Q:
    if not section_id:
        return Q(pk__in=[])
    return Q(pk__in=AgendaItem.objects.filter(section_id=section_id).values("meeting_id"))


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        """Who may see a meeting: the organisers (秘书科, 督查员: `meetings.view_all_meetings`),
        the chair, the kind's members and standing attendees, everyone on the attendance list,
        the recorders, and the sections that submitted an item: one filter of small subqueries
        (`taking_part_q`), used by every list, calendar, page and PDF."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("meetings.view_all_meetings"):
            return self
        staff = getattr(user, "staff", None)
        section_id = staff.section_id if staff is not None else None
        return self.filter(taking_part_q(user, leading=True) | _section_items_q(section_id))

    def for_list(self) -> MeetingQuerySet:
        return self.select_related("kind", "room", "chair")


class Meeting(models.Model):
    kind = models.ForeignKey(
        MeetingKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="meetings"
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    recorders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorders"),
        related_name="recorded_meetings",
        blank=True,
    )
    checkin_token = models.CharField(max_length=43, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    agenda_approved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        permissions = [
            ("organise_meeting", "May schedule meetings, send notices and check people in"),
            ("view_all_meetings", "May see every meeting"),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="meeting_starts"),
            models.Index(fields=["room", "starts_at"], name="meeting_room_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MeetingState.values), name="meeting_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.checkin_token:
            self.checkin_token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", args=[self.pk])

    @property
    def agenda_locked(self) -> bool:
        return self.state != MeetingState.PLANNED


class ItemState(models.TextChoices):
    """submitted → legal_review (法制办, when needed) → submitted (cleared) → checked (秘书长)
    → scheduled (on the agenda the mayor approves) ; submitted/legal_review/checked → returned."""

    SUBMITTED = "submitted", _("awaiting the secretary-general")
    LEGAL_REVIEW = "legal_review", _("in legality review")
    CHECKED = "checked", _("checked")
    SCHEDULED = "scheduled", _("on the agenda")
    RETURNED = "returned", _("returned")


class Outcome(models.TextChoices):
    PASSED = "passed", "通过"
    IN_PRINCIPLE = "in_principle", "原则通过"
    REJECTED = "rejected", "不通过"
    OTHER = "other", "其他"


class AgendaItem(models.Model):
    """议题: submitted by a section with its briefing paper and the departments consulted."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="items"
    )
    title = models.CharField(_("title"), max_length=200)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    briefing = models.TextField(_("briefing paper"))
    consulted = models.CharField(_("departments consulted"), max_length=500, blank=True)
    needs_legal_review = models.BooleanField(_("needs legality review"), default=False)
    legal_opinion = models.TextField(_("legality review opinion"), blank=True)
    restricted = models.BooleanField(
        _("restricted papers"),
        default=False,
        help_text=_("Papers are collected again after the item."),
    )
    late = models.BooleanField(_("late papers"), default=False)
    late_approved = models.BooleanField(_("late papers approved"), default=False)
    state = models.CharField(
        _("state"), max_length=20, choices=ItemState.choices, default=ItemState.SUBMITTED
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)

    # 密级: 非密 only — this system is not approved for state secrets (issue 15; S-15b).
    classification = classification_field()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]
        constraints = [
            classification_constraint("meetings_agendaitem_non_classified"),
            models.CheckConstraint(
                condition=Q(state__in=ItemState.values), name="agendaitem_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="agendaitem_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RecordNote(models.Model):
    """One recorder's notes on one agenda item (会议记录); two recorders, two notes."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="notes")
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("notes"))
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "recorder"], name="recordnote_item_recorder")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.recorder}"


class Decision(models.Model):
    """议定事项: one decision of an item, with a responsible section or unit and a deadline."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(_("decision"))
    section = models.ForeignKey(
        Section,
        verbose_name=_("responsible section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=False) | Q(unit__isnull=False),
                name="decision_has_responsible",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def responsible(self):
        return self.section or self.unit


class AttendanceRole(models.TextChoices):
    MEMBER = "member", _("member")
    ATTENDEE = "attendee", _("attending without a vote")


class Response(models.TextChoices):
    PENDING = "pending", _("not answered")
    CONFIRMED = "confirmed", _("will attend")
    LEAVE = "leave", _("asks for leave")


class Attendance(models.Model):
    """One person's notice, answer and check-in for one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_attendances"
    )
    role = models.CharField(max_length=10, choices=AttendanceRole.choices)
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    leave_reason = models.CharField(_("reason"), max_length=200, blank=True)
    substitute = models.CharField(_("substitute"), max_length=100, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_meeting_user")
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.user}"


class MinutesState(models.TextChoices):
    """draft → checked (秘书长) → signed (the mayor or the chair) → issued (numbered)."""

    DRAFT = "draft", _("draft")
    CHECKED = "checked", _("checked by the secretary-general")
    SIGNED = "signed", _("signed")
    ISSUED = "issued", _("issued")


class Minutes(models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    kind = models.ForeignKey(MeetingKind, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("text"))
    state = models.CharField(max_length=10, choices=MinutesState.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="minutes_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.kind.minutes_title} {self.reference}"

    @property
    def reference(self) -> str:
        """〔2026〕第3次 / 〔2026〕第3号; empty until issued."""
        if not self.number:
            return ""
        return f"〔{self.year}〕第{self.number}{'次' if self.meeting.kind.number_style == NumberStyle.SESSION else '号'}"


class CalendarFeed(models.Model):
    """A person's iCalendar feed token; revoking it makes the old URL answer 404 at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed"
    )
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.user)
