"""The one gapless counter of the office (ARCHITECTURE.md "Data that must never be lost or
duplicated"): one row per series and year; `office.numbers.next_number` moves it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSeries(models.Model):
    """A gapless counter per series and year. Incoming and outgoing documents use their prefix as
    the series (收文, 乌政办发); other apps name theirs `app:kind` (petitions, meetings:3,
    supervision:task). The row is locked in the transaction that uses the number, so a rolled-back
    registration gives its number back (SECURITY.md S-29)."""

    series = models.CharField(_("numbering series"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="office_number_series_once")
        ]

    def __str__(self) -> str:
        return f"{self.series}〔{self.year}〕{self.last_number}号"
