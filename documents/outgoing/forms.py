"""Input shapes for the outgoing-document pages; `documents.outgoing.services` decides the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import DocType, Marking, Retention
from office.forms import DATE_INPUT, Form
from office.forms import PersonChoiceField as PersonField
from office.models import Section, Unit, Urgency

from .models import FILING_PACKAGE, Direction, OutgoingSeries


def units():
    return Unit.objects.filter(active=True).order_by("kind", "display_order", "pk")


class UnitsField(forms.ModelMultipleChoiceField):
    widget = forms.SelectMultiple(attrs={"size": 8})

    def label_from_instance(self, obj) -> str:
        return obj.name


class DraftForm(Form):
    series = forms.ModelChoiceField(
        label=_("Series"), queryset=OutgoingSeries.objects.filter(active=True), empty_label=None
    )
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    main_recipients = UnitsField(label=_("Main recipients"), queryset=units(), required=False)
    copy_recipients = UnitsField(label=_("Copy recipients"), queryset=units(), required=False)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "One paragraph per line. Lines opening with 一、 （一） 1. （1） are the four heading levels."
        ),
    )
    attachments = forms.CharField(
        label=_("Attachments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One attachment name per line, without punctuation at the end."),
    )
    notes = forms.CharField(
        label=_("Notes (附注)"),
        required=False,
        max_length=300,
        help_text=_("E.g. 联系人：张敏，电话：8261234"),
    )
    marking = forms.ChoiceField(
        label=_("Marking"),
        choices=[c for c in Marking.choices if c[0] != Marking.RESTRICTED],
        initial="internal",
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    normative = forms.BooleanField(label=_("Normative document (规范性文件)"), required=False)
    issuer_signature = forms.CharField(
        label=_("Issuer signature"),
        required=False,
        max_length=100,
        help_text=_("Empty: the series' issuer name."),
    )


class EditForm(DraftForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["series"]


class SubmitForm(Form):
    overrides = forms.MultipleChoiceField(
        label=_("Override these findings knowingly"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (c, c)
            for c in (
                "request_one_main",
                "request_signer",
                "request_contact",
                "report_asks",
                "section_own_name",
                "brackets",
            )
        ],
    )


class DecideForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("yes", _("agree")), ("no", _("send back"))],
        widget=forms.RadioSelect,
        initial="yes",
    )
    comment = forms.CharField(
        label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "yes"


class ReviewForm(DecideForm):
    cosign_sections = forms.ModelMultipleChoiceField(
        label=_("Co-signing sections"),
        required=False,
        queryset=Section.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    cosign_units = UnitsField(label=_("Co-signing units"), queryset=units(), required=False)


class RegisterForm(Form):
    copies = forms.IntegerField(label=_("Copies to print"), min_value=0, max_value=10000, initial=0)


class VoidForm(Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(Form):
    extra_units = UnitsField(label=_("Also send to"), queryset=units(), required=False)
    copies_each = forms.IntegerField(
        label=_("Copies per recipient"), min_value=1, max_value=1000, initial=1
    )


class ArchiveForm(Form):
    retention = forms.ChoiceField(label=_("Retention"), choices=Retention.choices)


class FilingForm(Form):
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE_INPUT)
    reference = forms.CharField(label=_("Filing reference"), max_length=60, required=False)
    package = forms.MultipleChoiceField(
        label=_("Filing package"),
        choices=list(FILING_PACKAGE.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    effective_on = forms.DateField(label=_("Takes effect on"), widget=DATE_INPUT, required=False)
    early_effect_reason = forms.CharField(
        label=_("Why it takes effect within 30 days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)


class TranslationRequestForm(Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("mn", _("Mongolian")), ("en", _("English"))]
    )
    translator = PersonField(label=_("Translator"), queryset=None)
    due_on = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from office.forms import people

        self.fields["translator"].queryset = people()


class TranslationSubmitForm(Form):
    title = forms.CharField(label=_("Translated title"), max_length=300, required=False)
    text = forms.CharField(label=_("Translated text"), widget=forms.Textarea(attrs={"rows": 8}))


class AttachmentForm(forms.Form):
    """One file for a draft, checked as incoming attachments are (office.files)."""

    file = forms.FileField(label=_("File"))

    def clean_file(self):
        from office.files import check_upload

        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload
