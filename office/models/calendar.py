"""The working calendar: only the dates that differ from the ordinary week.

A weekday is a working day and a Saturday or Sunday is not, unless a `CalendarDay` says
otherwise: a public holiday (法定节假日) on a weekday, or a make-up working day (调休) on a
weekend. The State Council publishes each year's schedule, usually in November (DOMAIN.md §4.2),
and the system admin enters it; a year without a `CalendarYear` row is "not loaded", and no
deadline is ever computed in it (DOMAIN.md §4.3: never guess).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source notice"),
        max_length=200,
        blank=True,
        help_text=_(
            "The State Council notice the schedule comes from, e.g. 国办发明电〔2025〕7号."
        ),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("make-up working day")


class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 春节"))
    source = models.CharField(_("source notice"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DayKind.values), name="calendarday_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    @property
    def is_workday(self) -> bool:
        return self.kind == DayKind.MAKEUP_WORKDAY
