"""Time-limit rules as data (限时办结; DOMAIN.md §3.2, §4.1, §5.5)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    CALENDAR_DAY = "calendar_day", _("calendar days")
    WORKDAY = "workday", _("working days")
    MONTH = "month", _("months")
    HOUR = "hour", _("hours")


class TimeLimitRule(models.Model):
    """How long one kind of work may take, and what happens around its deadline.

    Counting follows 民法典 第二百零一条 (the start day is not counted unless the rule says so)
    and 第二百零三条 (a calendar-day period whose last day is a rest day or holiday ends on the
    next working day). Working-day periods count working days only (政府信息公开条例 2019).
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, choices=TimeUnit.choices)
    amount = models.PositiveIntegerField(_("amount"))
    start_event = models.CharField(_("start event"), max_length=100, blank=True)
    counts_start_day = models.BooleanField(_("start day counts"), default=False)
    remind_before_hours = models.PositiveIntegerField(
        _("remind this many hours before"), default=24
    )
    escalate_to_head_after_hours = models.PositiveIntegerField(
        _("escalate to the section head this many hours after the deadline"), default=24
    )
    escalate_to_leader_after_hours = models.PositiveIntegerField(
        _("escalate to the leader in charge this many hours after the deadline"),
        null=True,
        blank=True,
        default=48,
        help_text=_("Empty: never escalated to a leader."),
    )
    pausable = models.BooleanField(_("the clock can be paused"), default=False)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)
    max_extension_amount = models.PositiveIntegerField(
        _("longest extension (same unit)"), default=0
    )
    extension_needs_approval = models.BooleanField(_("extension needs approval"), default=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("time-limit rule")
        verbose_name_plural = _("time-limit rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=TimeUnit.values), name="rule_unit_valid"),
            models.CheckConstraint(
                condition=Q(max_extensions=0) | Q(max_extension_amount__gt=0),
                name="rule_extension_has_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.amount}{self.get_unit_display()}）"
