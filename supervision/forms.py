"""Input shapes for the supervision pages; the services decide everything else.

The lead/assisting pickers, leader choices and the multiple-file field are those of the
incoming-document pages (`documents.forms`), so a handler is named the same way everywhere."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from office.forms import (
    DATE_INPUT,
    Form,
    MultipleFileField,
    PersonChoiceField,
    handler_choices,
    handlers_of,
    leaders,
)
from office.models import Section, Unit

from .models import Grade, ReportingCycle, Satisfaction, SupervisionSource


class _Prefixed(Form):
    """Several forms share a task's page: each names its ids (id_report_text, …) so a label
    never points at another form's field."""

    auto_id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.auto_id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.auto_id_prefix}_%s")
        super().__init__(*args, **kwargs)


def splithandlers_of(values: list[str]) -> tuple[list[Section], list[Unit]]:
    found = handlers_of(values)
    return [h for h in found if isinstance(h, Section)], [h for h in found if isinstance(h, Unit)]


class _AssignFields(_Prefixed):
    lead = forms.ChoiceField(label=_("Lead section or unit (主办)"), required=False)
    assisting = forms.MultipleChoiceField(
        label=_("Assisting sections or units (协办)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    due_on = forms.DateField(label=_("Final deadline"), required=False, widget=DATE_INPUT)
    reporting_cycle = forms.ChoiceField(
        label=_("Reporting cycle"), choices=ReportingCycle.choices, initial=ReportingCycle.NONE
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the date, a space, then what is due, e.g. 2026-10-15 方案报审"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = handler_choices()
        self.fields["lead"].choices = [("", "—"), *choices]
        self.fields["assisting"].choices = choices

    def clean_milestones(self) -> list[tuple[str, dt.date]]:
        rows = []
        for line in self.cleaned_data["milestones"].splitlines():
            line = line.strip()
            if not line:
                continue
            day, _sep, title = line.partition(" ")
            try:
                rows.append((title.strip(), dt.date.fromisoformat(day)))
            except ValueError as exc:
                raise ValidationError(
                    _("Write each milestone as a date (2026-10-15), a space and what is due.")
                ) from exc
        return rows

    def assignment(self) -> dict:
        data = self.cleaned_data
        lead = handlers_of([data["lead"]]) if data.get("lead") else []
        sections, units = splithandlers_of(data.get("assisting") or [])
        return {
            "lead_section": lead[0] if lead and isinstance(lead[0], Section) else None,
            "lead_unit": lead[0] if lead and isinstance(lead[0], Unit) else None,
            "assisting_sections": sections,
            "assisting_units": units,
            "due_on": data.get("due_on"),
            "reporting_cycle": data["reporting_cycle"],
            "milestones": data.get("milestones") or [],
        }


class TaskOpenForm(_AssignFields):
    title = forms.CharField(label=_("Title"), max_length=300)
    requirements = forms.CharField(
        label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source = forms.ChoiceField(label=_("Source"), choices=SupervisionSource.choices)
    source_reference = forms.CharField(
        label=_("Source reference"),
        required=False,
        max_length=200,
        help_text=_("e.g. the number of the proposal or of the higher-level document"),
    )
    leader = PersonChoiceField(label=_("Leader in charge"), queryset=None, required=False)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    field_order = ["title", "requirements", "source", "source_reference", "leader", "urgent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class AssignForm(_AssignFields):
    auto_id_prefix = "assign"


class NoteForm(Form):
    """A form with only an optional note (acknowledge, urge)."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(_Prefixed):
    auto_id_prefix = "report"
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    milestone = forms.ModelChoiceField(label=_("Milestone reached"), queryset=None, required=False)
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = (
            task.milestones.filter(reached_at__isnull=True) if task else Unit.objects.none()
        )


class ExtensionForm(_Prefixed):
    auto_id_prefix = "extension"
    new_due_on = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.CharField(label=_("Progress so far"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Agree")), ("reject", _("Do not agree"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompletionForm(_Prefixed):
    auto_id_prefix = "completion"
    text = forms.CharField(label=_("Completion report"), widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Verified: close it (销号)")), ("return", _("Return it"))],
        widget=forms.RadioSelect,
    )
    grade = forms.ChoiceField(
        label=_("Grade (suggestions and proposals)"),
        choices=[("", "—"), *Grade.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class WrongReturnForm(Form):
    reason = forms.CharField(
        label=_("Why it is not your unit's business"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposalRecordForm(_Prefixed):
    """建议提案: the day the deputy or member was contacted, their satisfaction with the reply."""

    auto_id_prefix = "proposal"
    contacted_on = forms.DateField(
        label=_("Deputy or member contacted on"), required=False, widget=DATE_INPUT
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction with the reply"),
        choices=[("", "—"), *Satisfaction.choices],
        required=False,
    )


class InstructionTaskForm(Form):
    """On an incoming document's page: open a supervised task from the leader's instruction."""

    due_on = forms.DateField(label=_("Deadline"), required=False, widget=DATE_INPUT)
