"""The system admin configures document series (机关代字, issuer, red header, 信函, signers)."""

from __future__ import annotations

from django.contrib import admin

from office.services.audit import audit_record

from .models import OutgoingSeries


@admin.register(OutgoingSeries)
class OutgoingSeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "issuer_name", "header_text", "letter_format", "active"]
    list_filter = ["letter_format", "active"]
    search_fields = ["code", "issuer_name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("signer_upward", "signer_downward"):
            from django.contrib.auth import get_user_model

            from office.roles import Role

            kwargs["queryset"] = get_user_model().objects.filter(
                groups__name=Role.LEADER, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Numbers already issued name this code: it cannot change under them.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action="documents.series_change" if change else "documents.series_add",
            actor=request.user,
            obj=obj,
            changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
            request=request,
        )
