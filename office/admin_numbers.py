"""The system admin configures the number series (registration prefixes, 发文字号) here; the
numbers themselves are only ever taken by `office.numbers.next_number`."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import NumberSeries
from .services.audit import audit_record


class NumberSeriesForm(forms.ModelForm):
    class Meta:
        model = NumberSeries
        fields = ["series", "year", "last_number"]

    def clean_last_number(self):
        # A series may start higher (a register taken over mid-year from paper) or move
        # forward, never back: a lower counter would hand out numbers already used.
        value = self.cleaned_data["last_number"]
        if self.instance.pk and value < self.instance.last_number:
            raise forms.ValidationError(
                _("The counter cannot go back: numbers up to %(n)d are already used.")
                % {"n": self.instance.last_number}
            )
        return value


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    form = NumberSeriesForm
    list_display = ["series", "year", "last_number"]
    list_filter = ["year"]
    search_fields = ["series"]

    def get_readonly_fields(self, request, obj=None):
        return ["series", "year"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # numbers already given out must stay accounted for

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action="office.numberseries_change" if change else "office.numberseries_add",
            actor=request.user,
            obj=obj,
            changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
            request=request,
        )
