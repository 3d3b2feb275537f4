"""Input shapes for the portal. Sizes are bounded (SECURITY.md S-19); the services decide the
rest. Public forms carry a honeypot field that people never see and bots fill in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.forms import DATE_INPUT, Form
from office.models import Staff

from .models import (
    Delivery,
    DisclosureOutcome,
    InquiryChannel,
    InquiryResult,
    PresenceStatus,
    PublicText,
    Rating,
    ServiceGuide,
)

HONEYPOT = "website"


class PublicForm(Form):
    """A form the public fills in. `website` is hidden by CSS and from assistive technology;
    a person leaves it empty, a bot that fills every field gives itself away."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != HONEYPOT]


class DisclosureForm(PublicForm):
    token = forms.RegexField(
        regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput, max_length=32
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            import secrets

            self.initial["token"] = secrets.token_hex(16)

    applicant_name = forms.CharField(label=_("Your name or organisation"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    email = forms.EmailField(label=_("E-mail"), max_length=120, required=False)
    address = forms.CharField(label=_("Postal address"), max_length=200, required=False)
    description = forms.CharField(
        label=_("The information you ask for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the document or information as exactly as you can."),
    )
    delivery = forms.ChoiceField(
        label=_("How you want to receive it"),
        choices=Delivery.choices,
        initial=Delivery.EMAIL,
        widget=forms.RadioSelect,
    )

    def clean(self):
        data = super().clean()
        if data.get("delivery") == Delivery.EMAIL and not data.get("email"):
            self.add_error("email", _("Give an e-mail address to receive the answer by e-mail."))
        if data.get("delivery") == Delivery.POST and not data.get("address"):
            self.add_error("address", _("Give a postal address to receive the answer by post."))
        return data


class EvaluationForm(PublicForm):
    rating = forms.ChoiceField(
        label=_("Your rating"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Comments are read by the office before they are published."),
    )


class PresenceForm(Form):
    status = forms.ChoiceField(label=_("Whereabouts today"), choices=PresenceStatus.choices)


class ModerateForm(Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])


class AnswerForm(Form):
    outcome = forms.ChoiceField(
        label=_("Answer"), choices=DisclosureOutcome.choices, widget=forms.RadioSelect
    )
    reply = forms.CharField(
        label=_("Reply to the applicant"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required when not disclosing (the reasons), already public (where) or unclear."
        ),
    )


class ExtendForm(Form):
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        place = obj.section or obj.unit
        return f"{obj.name}（{place}）" if place else obj.name


class InquiryForm(Form):
    channel = forms.ChoiceField(
        label=pgettext_lazy("inquiry", "Channel"),
        choices=InquiryChannel.choices,
        initial=InquiryChannel.VISIT,
        widget=forms.RadioSelect,
    )
    visitor = forms.CharField(label=_("Name or unit"), max_length=100)
    phone = forms.CharField(label=pgettext_lazy("inquiry", "Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    matter = forms.CharField(
        label=_("Matter"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    guide = forms.ModelChoiceField(
        label=_("Service guide"),
        queryset=ServiceGuide.objects.published(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("The guide you went through with the person (一次性告知)."),
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=InquiryResult.choices, widget=forms.RadioSelect
    )
    handler = StaffChoiceField(
        label=_("Handler"),
        queryset=Staff.objects.active().select_related("user", "section", "unit"),
        required=False,
        empty_label=_("(myself)"),
        help_text=_("Empty: you handle it yourself."),
    )
    forwarded_to = forms.CharField(
        label=_("Forwarded to (body, place, phone)"), max_length=200, required=False
    )
    promised_date = forms.DateField(label=_("Promised date"), required=False, widget=DATE_INPUT)
    result_note = forms.CharField(
        label=_("How it was handled"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaterialForm(Form):
    name = forms.CharField(
        label=_("Material"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": _("Material")}),
    )
    pages = forms.IntegerField(
        label=_("Number of pages"),
        min_value=1,
        max_value=9999,
        required=False,
        widget=forms.NumberInput(attrs={"aria-label": _("Number of pages")}),
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("pages"):
            self.add_error("pages", _("Give the number of pages."))
        if data.get("pages") and not data.get("name"):
            self.add_error("name", _("Name the material."))
        return data


MaterialFormSet = forms.formset_factory(MaterialForm, extra=4, max_num=20, absolute_max=20)


def materials_from(formset) -> list[tuple[str, int]]:
    rows = []
    for form in formset:
        data = form.cleaned_data
        if data.get("name") and data.get("pages"):
            rows.append((data["name"], data["pages"]))
    return rows


class PublicTextForm(forms.ModelForm):
    class Meta:
        model = PublicText
        fields = ["slug", "title", "body", "display_order", "published"]


class ServiceGuideForm(forms.ModelForm):
    class Meta:
        model = ServiceGuide
        fields = [
            "slug",
            "title",
            "summary",
            "materials",
            "place",
            "hours",
            "time_limit",
            "fees",
            "legal_basis",
            "contact_phone",
            "section",
            "display_order",
            "published",
        ]
