"""Input shapes for the incoming-document pages. Forms parse and check the shape of what was
typed (and the uploads, so a refused file is shown before anything is saved); the services in
`documents.services` decide everything else."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.forms import (
    DATE_INPUT,
    Form,
    MultipleFileField,
    PeopleChoiceField,
    PersonChoiceField,
    checked_upload,
    handler_choices,
    handlers_of,
    leaders,
    people,
)
from office.models import Section, Unit, Urgency
from office.people import display_name

from . import services
from .models import (
    CLASSIFIED_MARKS,
    AttachmentKind,
    DocType,
    IncomingState,
    Marking,
    Retention,
    Routing,
)

User = get_user_model()


# --- 签收/登记 ----------------------------------------------------------------------------------
# 会议纪要 is what many local templates still call a 纪要 (DOMAIN.md §1.1); 令 is 命令's short form.
DOC_TYPE_ALIASES = {
    "会议纪要": DocType.MINUTES,
    "meeting_minutes": DocType.MINUTES,
    "令": DocType.ORDER,
}
for _value, _label in DocType.choices:
    DOC_TYPE_ALIASES[_label] = _value
DOC_TYPE_ALIASES["命令"] = DocType.ORDER


class DocTypeField(forms.ChoiceField):
    """The 15 types of 第八条, as a choice or typed in Chinese (会议纪要 → 纪要)."""

    def __init__(self, **kwargs):
        choices = [
            ("", "—"),
            *DocType.choices,
            ("meeting_minutes", "会议纪要（按纪要登记）"),
        ]
        super().__init__(choices=choices, **kwargs)

    def to_python(self, value):
        value = super().to_python(value).strip()
        return DOC_TYPE_ALIASES.get(value, value)

    def valid_value(self, value) -> bool:
        return value in DocType.values


class SenderField(forms.CharField):
    """来文单位: one of our units (typed, or picked from the list the browser offers) or any
    other name typed in full. Cleans to (unit or None, name)."""

    def clean(self, value):
        name = super().clean(value)
        if not name:
            return None, ""
        unit = Unit.objects.named(name)
        return (unit, unit.name) if unit else (None, name)


class RegisterForm(Form):
    sender = SenderField(
        label=_("Sender"),
        max_length=200,
        help_text=_("Pick a unit from the list or type the sender's full name."),
        error_messages={"required": _("Say who sent the document.")},
        widget=forms.TextInput(attrs={"list": "units", "autocomplete": "off"}),
    )
    sender_reference = forms.CharField(
        label=_("Sender reference"),
        max_length=80,
        required=False,
        help_text=_("The number printed on the document, e.g. 兴署办发〔2026〕88号."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        error_messages={"required": _("Enter the document's title.")},
    )
    doc_type = DocTypeField(
        label=_("Document type"), error_messages={"required": _("Choose the document type.")}
    )
    marking = forms.ChoiceField(
        label=_("Marking"),
        initial=Marking.INTERNAL,
        choices=[
            (_("Non-classified"), Marking.choices),
            (
                _("State secrets: not on this system"),
                [(mark, mark) for mark in reversed(CLASSIFIED_MARKS)],
            ),
        ],
    )
    audience = PeopleChoiceField(
        label=_("Named audience"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for a restricted document: the people who may read it."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=9999, initial=1)
    written_on = forms.DateField(label=_("Date written"), required=False, widget=DATE_INPUT)
    received_at = forms.DateTimeField(
        label=_("Time received"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Enter when the document was received.")},
    )
    main_recipient = forms.CharField(label=_("Main recipient"), max_length=200, required=False)
    summary = forms.CharField(
        label=pgettext_lazy("what a document is about", "Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scan = forms.FileField(
        label=_("Scan of the document"),
        required=False,
        help_text=_("PDF, OFD or an image; shown beside the instruction form."),
    )
    annexes = MultipleFileField(
        label=_("Annexes"),
        required=False,
        help_text=_("Several files may be chosen at once."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = people()
        if not self.is_bound:
            self.initial.setdefault(
                "received_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        services.check_not_classified(title=title)
        return title

    def clean_marking(self):
        marking = self.cleaned_data["marking"]
        services.check_not_classified(marking)
        return marking

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("The time received cannot be in the future."))
        return value

    def clean_scan(self):
        return checked_upload(self.cleaned_data.get("scan"))

    def clean_annexes(self):
        return [checked_upload(f) for f in self.cleaned_data.get("annexes") or []]

    def clean(self):
        data = super().clean()
        if data.get("marking") == Marking.RESTRICTED and not data.get("audience"):
            self.add_error("audience", _("A restricted document needs a named audience."))
        return data

    def uploads(self) -> list[tuple[str, object]]:
        scan = self.cleaned_data.get("scan")
        out = [(AttachmentKind.SCAN, scan)] if scan else []
        return out + [(AttachmentKind.ANNEX, f) for f in self.cleaned_data.get("annexes", [])]


class AttachForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=AttachmentKind.choices,
        initial=AttachmentKind.ANNEX,
        widget=forms.RadioSelect,
    )
    # Not "files": that name is the form's own dict of uploads.
    attachments = MultipleFileField(
        label=_("Files"), error_messages={"required": _("Choose at least one file.")}
    )

    def clean_attachments(self):
        return [checked_upload(f) for f in self.cleaned_data["attachments"]]


# --- 初审, 拟办/呈批, 传阅 ------------------------------------------------------------------------
class ScreenForm(Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))])
    reason = forms.CharField(
        label=_("Reason for return"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notify_sender = forms.BooleanField(label=_("Notify the sender"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the document is returned."))
        return data


class PresentForm(Form):
    leader = PersonChoiceField(
        label=_("Present to"),
        queryset=User.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the leader.")},
    )
    proposal = forms.CharField(
        label=_("Proposed handling"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the proposed handling.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class CirculateForm(Form):
    readers = PeopleChoiceField(
        label=_("Readers"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who reads the document.")},
    )
    proposal = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = people()


# --- 批示 ----------------------------------------------------------------------------------------
# The leaders' usual short instructions. They are the text of the official record, so they are
# Chinese whatever the page's language; 某某 is filled in from the routing the leader chose.
PHRASES = {
    "agree": "同意。",
    "read_by": "请某某同志阅示。",
    "study": "请某科室研办。",
    "noted": "阅。",
}


def phrase_text(key: str, data: dict) -> str:
    """The phrase with its placeholder filled from the chosen people or handlers."""
    if key == "read_by":
        chosen = [data["forward_to"]] if data.get("forward_to") else list(data.get("readers") or [])
        names = "、".join(display_name(u) for u in chosen)
        return f"请{names}同志阅示。" if names else PHRASES[key]
    if key == "study":
        lead = data.get("lead")
        if lead is None:
            return PHRASES[key]
        assist = [a for a in data.get("assist") or [] if a != lead]
        if assist:
            return f"请{_short(lead)}牵头，{'、'.join(_short(a) for a in assist)}配合研办。"
        return f"请{_short(lead)}研办。"
    return PHRASES[key]


def _short(handler) -> str:
    return getattr(handler, "short_name", "") or handler.name


class InstructForm(Form):
    phrase = forms.ChoiceField(
        label=_("Quick phrase"),
        required=False,
        choices=[(k, v.rstrip("。")) for k, v in PHRASES.items()],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Instruction"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave it empty to use the phrase you chose."),
    )
    routing = forms.ChoiceField(
        label=_("What happens next"),
        choices=Routing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens next.")},
    )
    lead = forms.ChoiceField(label=_("Lead (主办)"), required=False)
    assist = forms.MultipleChoiceField(
        label=_("Assisting (协办)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(label=_("Deadline"), required=False, widget=DATE_INPUT)
    forward_to = PersonChoiceField(
        label=_("Pass on to"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    readers = PeopleChoiceField(
        label=_("Readers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, leader=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = handler_choices()
        self.fields["lead"].choices = [("", "—"), *choices]
        self.fields["assist"].choices = choices
        others = leaders()
        if leader is not None:
            others = others.exclude(pk=leader.pk)
        self.fields["forward_to"].queryset = others
        readers = people()
        self.fields["readers"].queryset = (
            readers.exclude(pk=leader.pk) if leader is not None else readers
        )

    def clean_lead(self):
        value = self.cleaned_data.get("lead")
        found = handlers_of([value]) if value else []
        return found[0] if found else None

    def clean_assist(self):
        return handlers_of(self.cleaned_data.get("assist") or [])

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        if not text and data.get("phrase"):
            text = phrase_text(data["phrase"], data)
        if not text:
            self.add_error("text", _("Write the instruction or choose a phrase."))
        data["text"] = text
        return data


# --- 承办 ----------------------------------------------------------------------------------------
class NoteForm(Form):
    text = forms.CharField(
        label=_("Progress"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the progress.")},
    )


class CompleteForm(Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Record the outcome.")},
    )


class ExtensionRequestForm(Form):
    days = forms.IntegerField(
        label=_("More working days"),
        min_value=1,
        max_value=30,
        error_messages={
            "required": _("Enter how many working days."),
            "invalid": _("Enter a whole number."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why more time is needed.")},
    )


class ExtensionDecideForm(Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        error_messages={"required": _("Approve or refuse.")},
    )
    reason = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.TextInput()
    )


class ReadForm(Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.TextInput()
    )


class ConfirmForm(Form):
    """办结 takes no input; the form carries only the CSRF token."""


class ArchiveForm(Form):
    retention = forms.ChoiceField(
        label=_("Retention"),
        choices=Retention.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the retention period.")},
    )
    volume_reference = forms.CharField(
        label=_("Volume reference"),
        max_length=60,
        error_messages={"required": _("Give the volume reference.")},
    )


# --- The register (收文登记簿) -------------------------------------------------------------------
SORTS = {
    "-received": ("-received_at", "-pk"),
    "received": ("received_at", "pk"),
    # Each ascending order is the exact reverse of its descending one, so one index
    # (models.IncomingDocument.Meta.indexes) serves both directions.
    "-urgency": ("-priority", "-received_at", "-pk"),
    "urgency": ("priority", "received_at", "pk"),
    "-number": ("-registration_year", "-registration_serial", "-pk"),
    "number": ("registration_year", "registration_serial", "pk"),
}


class ListFilterForm(Form):
    """The register's filters. Invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *IncomingState.choices]
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("All")), *Urgency.choices]
    )
    marking = forms.ChoiceField(
        label=_("Marking"), required=False, choices=[("", _("All")), *Marking.choices]
    )
    sender = forms.CharField(label=_("Sender"), required=False, max_length=100)
    section = forms.ModelChoiceField(
        label=_("Lead section"),
        queryset=Section.objects.active(),
        required=False,
        empty_label=_("All"),
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE_INPUT)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DATE_INPUT)
    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORTS])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            # Said on the page; the list is then filtered by the start date only.
            self.add_error(
                "received_to", _("The end date is before the start date: it is not applied.")
            )
        return cleaned

    def values(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def notices(self) -> list[str]:
        """What was not applied, to say so above the list (an unreadable date, a range the
        wrong way round); choices and the sort are whitelisted and simply fall back."""
        shown = ("received_from", "received_to")
        return [
            _("%(field)s: %(error)s") % {"field": self.fields[name].label, "error": error}
            for name in shown
            for error in self.errors.get(name, [])
        ]
