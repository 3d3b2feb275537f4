"""Input shapes for the meeting pages; `meetings.services` decides everything else."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.forms import DATE_INPUT, TIME_INPUT, Form, PeopleField, PersonField, leaders
from office.models import Section, Unit

from .models import MeetingKind, Outcome, Room
from .services import open_for_items

User = get_user_model()


def _people():
    return User.objects.filter(is_active=True, staff__isnull=False).order_by(
        "staff__display_order", "staff__badge_number"
    )


def _leaders():
    """The city leaders (市领导, `office.forms.leaders`): the calendar's leader filter. Listing
    every person made the month view render 5,000 options (216 ms of a page whose SQL takes
    15 ms)."""
    return leaders()


class ScheduleForm(Form):
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=MeetingKind.objects.all(), empty_label="—"
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start = forms.TimeField(label=_("Starts"), widget=TIME_INPUT)
    end = forms.TimeField(label=_("Ends"), widget=TIME_INPUT)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.filter(active=True), empty_label="—"
    )
    chair = PersonField(label=_("Chair"), queryset=_people(), empty_label="—")
    recorders = PeopleField(
        label=_("Recorders"), queryset=_people(), required=False, help_text=_("Two people.")
    )

    def clean(self):
        data = super().clean()
        if {"date", "start", "end"} <= data.keys():
            tz = timezone.get_current_timezone()
            data["starts_at"] = dt.datetime.combine(data["date"], data["start"], tzinfo=tz)
            data["ends_at"] = dt.datetime.combine(data["date"], data["end"], tzinfo=tz)
        return data


class ItemForm(Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    briefing = forms.CharField(
        label=_("Briefing paper"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("At most 3,000 characters unless the meeting kind says otherwise."),
    )
    consulted = forms.CharField(label=_("Departments consulted"), max_length=500, required=False)
    needs_legal_review = forms.BooleanField(
        label=_("Needs legality review (法制办)"), required=False
    )
    restricted = forms.BooleanField(
        label=_("Restricted papers (collected after the item)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = open_for_items().order_by("starts_at")
        self.fields["meeting"].empty_label = "—"


class LegalReviewForm(Form):
    opinion = forms.CharField(label=_("Opinion"), max_length=4000)
    cleared = forms.BooleanField(label=_("Cleared"), required=False)


class RespondForm(Form):
    attend = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("I will attend")), ("no", _("I ask for leave"))],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(label=_("Reason for leave"), max_length=200, required=False)
    substitute = forms.CharField(label=_("Substitute"), max_length=100, required=False)


class CheckInForm(Form):
    user = forms.ModelChoiceField(queryset=User.objects.all(), widget=forms.HiddenInput)


class RecordersForm(Form):
    recorders = PeopleField(label=_("Recorders"), queryset=_people())


class NoteForm(Form):
    text = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}))


class OutcomeForm(Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("meeting item", "Outcome"), choices=Outcome.choices
    )
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class DecisionForm(Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    section = forms.ModelChoiceField(
        label=_("Responsible section"), queryset=Section.objects.active(), required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.filter(active=True), required=False
    )
    due_on = forms.DateField(label=pgettext_lazy("decision", "Deadline"), widget=DATE_INPUT)


class MinutesForm(Form):
    body = forms.CharField(
        label=_("Text of the minutes"),
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        help_text=_("Leave empty to draft it again from the record."),
    )


class CalendarForm(Form):
    view = forms.ChoiceField(choices=[("week", _("Week")), ("month", _("Month"))], required=False)
    date = forms.DateField(required=False, widget=DATE_INPUT)
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.all(), required=False)
    leader = PersonField(label=_("Leader"), queryset=_leaders(), required=False)
