"""Input shapes for the petition pages; `petitions.services` decides everything else.

Every text field has a bound (S-19); what the public types is stored as typed and escaped where
it is shown (S-20)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.forms import Form, MultipleFileField, MultipleFileInput
from office.models import Section, Unit

from . import crypto
from .models import (
    MAX_AGENTS,
    MAX_REPRESENTATIVES,
    Category,
    Channel,
    Decision,
    DeliveryMethod,
    ForwardedFrom,
    Outcome,
    PetitionerRole,
    PetitionState,
    StatutoryChannel,
    SubjectArea,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
EXTRA_PEOPLE = MAX_REPRESENTATIVES + MAX_AGENTS
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^\d{7,12}$")

TEXT_MAX = 2000  # request, facts, reasons


def _text(label, *, required=False, max_length=TEXT_MAX, rows=3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


def clean_id_number(value: str) -> str:
    value = crypto.normalise("id", value)
    if value and not ID_RE.match(value):
        raise forms.ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X.")
        )
    return value


def clean_phone(value: str) -> str:
    value = crypto.normalise("phone", value)
    if value and not PHONE_RE.match(value):
        raise forms.ValidationError(_("Enter a phone number of 7 to 12 digits."))
    return value


class PetitionFields(Form):
    """What every channel records about the matter itself."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject_area = forms.ChoiceField(label=_("Subject area"), choices=SubjectArea.choices)
    title = forms.CharField(
        label=pgettext_lazy("petition", "Subject"),
        max_length=100,
        error_messages={"required": _("Give the petition a short subject.")},
    )
    request = _text(_("Request"), required=True, rows=4)
    facts = _text(_("Facts"))
    reasons = _text(_("Reasons"))
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    name = forms.CharField(
        label=_("Name"), max_length=50, error_messages={"required": _("Enter the name.")}
    )
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class IntakeForm(PetitionFields):
    """The desk's registration form: letters, visits, calls and forwarded items."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        widget=forms.RadioSelect,
        initial=Channel.VISIT,
    )
    forwarded_from = forms.ChoiceField(
        label=_("Forwarded from"), choices=[("", "—"), *ForwardedFrom.choices], required=False
    )
    forwarded_reference = forms.CharField(label=_("Their reference"), max_length=80, required=False)
    received_at = forms.DateTimeField(
        label=_("Time received"), input_formats=DATETIME_FORMATS, widget=DATETIME_INPUT
    )
    complained_unit = forms.ModelChoiceField(
        label=_("Unit complained about"), queryset=Unit.objects.none(), required=False
    )
    is_group = forms.BooleanField(label=_("Group visit"), required=False)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=9999, initial=1)
    materials = forms.CharField(
        label=_("Materials received"),
        max_length=300,
        required=False,
        help_text=_("Name and number of the materials handed in."),
    )
    repeat_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachment = forms.FileField(label=_("Scanned letter or material"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complained_unit"].queryset = Unit.objects.filter(active=True).order_by(
            "display_order", "name"
        )
        for i in range(1, EXTRA_PEOPLE + 1):
            self.fields[f"p{i}_role"] = forms.ChoiceField(
                label=_("Role"),
                choices=[c for c in PetitionerRole.choices if c[0] != PetitionerRole.PETITIONER]
                + [(PetitionerRole.PETITIONER, _("co-petitioner"))],
                required=False,
            )
            self.fields[f"p{i}_name"] = forms.CharField(
                label=_("Name"), max_length=50, required=False
            )
            self.fields[f"p{i}_id_number"] = forms.CharField(
                label=_("ID number"), max_length=20, required=False
            )
            self.fields[f"p{i}_phone"] = forms.CharField(
                label=_("Phone"), max_length=20, required=False
            )

    def extra_rows(self):
        return [
            [self[f"p{i}_role"], self[f"p{i}_name"], self[f"p{i}_id_number"], self[f"p{i}_phone"]]
            for i in range(1, EXTRA_PEOPLE + 1)
        ]

    def clean(self):
        data = super().clean()
        for i in range(1, EXTRA_PEOPLE + 1):
            for key, check in (("id_number", clean_id_number), ("phone", clean_phone)):
                name = f"p{i}_{key}"
                try:
                    data[name] = check(data.get(name, ""))
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        if data.get("channel") == Channel.FORWARDED and not data.get("forwarded_from"):
            self.add_error("forwarded_from", _("Say which body forwarded or assigned the item."))
        return data

    def people(self) -> list[dict]:
        d = self.cleaned_data
        rows = [
            {
                "role": PetitionerRole.PETITIONER,
                "name": d["name"],
                "id_number": d["id_number"],
                "phone": d["phone"],
                "address": d["address"],
            }
        ]
        for i in range(1, EXTRA_PEOPLE + 1):
            if d.get(f"p{i}_name", "").strip():
                rows.append(
                    {
                        "role": d.get(f"p{i}_role") or PetitionerRole.REPRESENTATIVE,
                        "name": d[f"p{i}_name"],
                        "id_number": d.get(f"p{i}_id_number", ""),
                        "phone": d.get(f"p{i}_phone", ""),
                    }
                )
        return rows


PUBLIC_MAX_FILES = 5
PUBLIC_FILE_TYPES = ("pdf", "jpg", "jpeg", "png")  # scans and photos; nothing that runs code


def _public_max_mb() -> int:
    return getattr(settings, "PETITION_PUBLIC_UPLOAD_MAX_MB", 10)


def check_public_files(files: list) -> list:
    """The online form's attachments (issue 6 §1 "attachments"; SECURITY.md S-19 bounded input,
    S-21…S-25 files): at most PUBLIC_MAX_FILES, PDF or image only,
    each within the public size limit, and each passing the project's upload checks (allowlist
    with the content sniffed, size, name cleaned — `office.files.check_upload`)."""
    from office.files import check_upload, safe_name

    if len(files) > PUBLIC_MAX_FILES:
        raise forms.ValidationError(
            _("Attach at most %(n)d files.") % {"n": PUBLIC_MAX_FILES}, code="too_many"
        )
    for upload in files:
        name = safe_name(getattr(upload, "name", ""))
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in PUBLIC_FILE_TYPES:
            raise forms.ValidationError(
                _("%(name)s: only PDF, JPEG and PNG files can be attached online.")
                % {"name": name},
                code="type",
            )
        if upload.size > _public_max_mb() * 1024 * 1024:
            raise forms.ValidationError(
                _("%(name)s is larger than %(n)d MB.") % {"name": name, "n": _public_max_mb()},
                code="size",
            )
        try:
            check_upload(upload)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                _("%(name)s: %(reason)s") % {"name": name, "reason": exc.messages[0]},
                code="content",
            ) from exc
    return files


class PublicPetitionForm(PetitionFields):
    """网上信访: the phone is required, it is the second value of the look-up."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    # a letter from the public has tighter bounds than the desk's notes (S-19)
    request = _text(_("Request"), required=True, max_length=1000, rows=6)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        allow_empty_file=True,  # refused by check_public_files, by name
    )

    def clean_attachments(self):
        return check_public_files(self.cleaned_data.get("attachments") or [])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].error_messages["required"] = _("Enter a phone number.")
        self.fields["attachments"].help_text = _(
            "Up to %(files)d files: PDF, JPEG or PNG, each at most %(mb)d MB."
        ) % {"files": PUBLIC_MAX_FILES, "mb": _public_max_mb()}

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
            raise forms.ValidationError(_("Reload the form and submit it again."))
        return token


class DecideForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = _text(_("Reason"), max_length=1000)
    statutory_channel = forms.ChoiceField(
        label=_("Statutory channel"), choices=[("", "—"), *StatutoryChannel.choices], required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    share_identity = forms.BooleanField(
        label=_("Pass the petitioner's identity on to the unit"), required=False
    )
    instructions = _text(_("Instructions to the unit"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by(
            "display_order", "name"
        )


class AssignForm(Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False
    )
    share_identity = forms.BooleanField(
        label=_("Pass the petitioner's identity on to the unit"), required=False
    )
    instructions = _text(_("Instructions to the unit"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by(
            "display_order", "name"
        )
        self.fields["section"].queryset = Section.objects.active()


class ReportForm(Form):
    report = _text(_("Report"), required=True, rows=4)


class ExtendForm(Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=30, initial=30)
    reason = _text(_("Reason"), required=True, max_length=1000)


class ReplyForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reply_text = _text(_("Facts found and answer to each request"), required=True, rows=6)
    basis = _text(_("Legal and policy basis"), required=True)


class DeliverForm(Form):
    method = forms.ChoiceField(label=_("Delivered by"), choices=DeliveryMethod.choices)
    delivered_at = forms.DateTimeField(
        label=_("Delivered at"),
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_INPUT,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RevealForm(Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        min_length=4,
        max_length=200,
        error_messages={"min_length": _("State the purpose of revealing the personal data.")},
    )


class RatingForm(Form):
    rating = forms.ChoiceField(label=_("Your rating"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = [(r, r) for r in settings.PETITION_RATINGS]


class ReviewApplyForm(Form):
    reasons = _text(_("Reasons"), required=True)
    applied_at = forms.DateTimeField(
        label=_("Applied at"), input_formats=DATETIME_FORMATS, widget=DATETIME_INPUT, required=False
    )


class ReviewDecideForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    text = _text(_("Decision"), required=True, rows=5)


class HearingForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class LookupForm(Form):
    code = forms.CharField(label=_("Query code"), max_length=40)
    last4 = forms.CharField(label=_("Last four digits of the phone"), max_length=4, min_length=4)


class ListFilterForm(Form):
    q = forms.CharField(required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", "—"), *PetitionState.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
