"""The system admin configures the registration number series here. Documents themselves are
never edited in the admin: every change goes through `documents.services` (ARCHITECTURE.md)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from office.services.audit import audit_record

from .models import NumberSeries


class NumberSeriesForm(forms.ModelForm):
    class Meta:
        model = NumberSeries
        fields = ["prefix", "year", "last_number"]

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
    list_display = ["prefix", "year", "last_number"]
    list_filter = ["year"]
    search_fields = ["prefix"]

    def get_readonly_fields(self, request, obj=None):
        return ["prefix", "year"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # numbers already given out must stay accounted for

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action="documents.numberseries_change" if change else "documents.numberseries_add",
            actor=request.user,
            obj=obj,
            changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
            request=request,
        )


from .outgoing import admin as outgoing_admin  # noqa: E402, F401  (document series)
