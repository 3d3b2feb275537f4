"""Input shapes for the spine's pages (forms only parse; services decide)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give a reason.")},
    )


class UrgeForm(forms.Form):
    message = forms.CharField(
        label=_("Message"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(ReasonForm):
    amount = forms.IntegerField(
        label=_("Extend by"),
        min_value=1,
        max_value=366,
        error_messages={
            "required": _("Enter how much longer."),
            "invalid": _("Enter a whole number."),
        },
    )


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)

    def month_start(self, today: dt.date) -> dt.date:
        value = self.cleaned_data.get("month") if self.is_valid() else None
        if value:
            year, month = (int(x) for x in value.split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return dt.date(year, month, 1)
        return today.replace(day=1)
