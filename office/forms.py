"""Input shapes for the spine's pages (forms only parse; services decide)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from office.models import Section, Unit, UnitKind
from office.people import display_name, person_label
from office.roles import ADMIN_ROLES, Role

User = get_user_model()

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class Form(forms.Form):
    """The base of every form: labels without a colon, they stand above their fields
    (templates/office/_field.html)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PersonField(forms.ModelChoiceField):
    """A person, shown by name only."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class PeopleField(forms.ModelMultipleChoiceField):
    """Several people, shown by name only."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class PersonChoiceField(forms.ModelChoiceField):
    """A person, shown with post and section (several people may share a name)."""

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen), each file
    checked like a single upload."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        items = [d for d in items if d]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


def checked_upload(upload):
    """`office.files.check_upload` in a form's clean: the user sees the reason and nothing is
    saved."""
    from office.files import check_upload

    if upload:
        check_upload(upload)
    return upload


# --- People, sections and units to choose from ---------------------------------------------
def leaders():
    """The city leaders documents are presented to (role 市领导), in the office's order."""
    return (
        User.objects.filter(groups__name=Role.LEADER, is_active=True)
        .select_related("staff__section", "staff__unit")
        .order_by("staff__display_order", "pk")
    )


def people():
    """Everyone in a business role who may read a document (admins do business in a separate
    account, 三员分立)."""
    return (
        User.objects.filter(is_active=True, staff__isnull=False)
        .exclude(groups__name__in=ADMIN_ROLES)
        .select_related("staff__section", "staff__unit")
        .order_by("staff__display_order", "pk")
        .distinct()
    )


def handler_choices() -> list:
    """Sections (科室) and units (单位) that can handle a document, as grouped choices; a value
    names its kind: "s:3" is section 3, "u:12" unit 12."""
    sections = [(f"s:{s.pk}", s.name) for s in Section.objects.active()]
    units = {UnitKind.SUBORDINATE: [], UnitKind.EXTERNAL: []}
    for unit in Unit.objects.filter(active=True):
        units.setdefault(unit.kind, []).append((f"u:{unit.pk}", unit.short_name or unit.name))
    return [
        (_("Sections"), sections),
        (_("Subordinate units"), units[UnitKind.SUBORDINATE]),
        (_("Other units"), units[UnitKind.EXTERNAL]),
    ]


def handlers_of(values: list[str]) -> list:
    """The sections and units that `handler_choices` values name, in the order given."""
    section_ids = [int(v[2:]) for v in values if v.startswith("s:")]
    unit_ids = [int(v[2:]) for v in values if v.startswith("u:")]
    found = {f"s:{s.pk}": s for s in Section.objects.filter(pk__in=section_ids)}
    found |= {f"u:{u.pk}": u for u in Unit.objects.filter(pk__in=unit_ids)}
    return [found[v] for v in values if v in found]


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
