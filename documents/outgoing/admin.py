"""The system admin configures document series (机关代字, issuer, red header, 信函, signers) and
uploads licensed fonts; the security admin uploads the issuers' seals."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from office.services.audit import audit_record

from . import assets
from .models import IssuerSeal, LicensedFont, OutgoingSeries


@admin.register(OutgoingSeries)
class OutgoingSeriesAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "issuer_name",
        "header_text",
        "letter_format",
        "seal_required",
        "active",
    ]
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


# --- Seals and licensed fonts (the PDF's 印章 and fonts) -----------------------------------------
class _UploadForm(forms.ModelForm):
    """The model's file is never bound directly: the upload goes through `assets`, which checks
    it, stores it under a generated name and audits it."""

    upload = forms.FileField(label=_("file"), required=False)
    checker = None

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None and self.instance.pk is None:
            raise forms.ValidationError(_("Choose a file to upload."))
        if upload is not None:
            type(self).checker(upload)
        return upload


class SealForm(_UploadForm):
    checker = staticmethod(assets.check_seal)

    class Meta:
        model = IssuerSeal
        fields = ["issuer_name", "diameter_mm"]

    def clean_diameter_mm(self):
        value = self.cleaned_data["diameter_mm"]
        if not 30 <= value <= 60:
            raise forms.ValidationError(_("A seal is 30 to 60 mm across."))
        return value


class FontForm(_UploadForm):
    checker = staticmethod(assets.check_font)

    class Meta:
        model = LicensedFont
        fields = ["role"]


@admin.register(IssuerSeal)
class IssuerSealAdmin(admin.ModelAdmin):
    """The security admin (安全管理员) alone: the role AND the permission are checked, so no other
    admin — not even a superuser account — uploads or replaces a seal."""

    form = SealForm
    list_display = ["issuer_name", "diameter_mm", "version", "uploaded_by", "uploaded_at"]
    readonly_fields = ["version", "sha256", "uploaded_by", "uploaded_at"]

    def has_module_permission(self, request):
        return assets.may_manage_seals(request.user)

    def has_view_permission(self, request, obj=None):
        return assets.may_manage_seals(request.user)

    def has_add_permission(self, request):
        return assets.may_manage_seals(request.user)

    def has_change_permission(self, request, obj=None):
        return assets.may_manage_seals(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # replaced, never removed: a printed document names the seal it carries

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            assets.seal_store(seal=obj, upload=upload, by=request.user, request=request)
            return
        obj.save()
        audit_record(
            action="documents.seal_change",
            actor=request.user,
            obj=obj,
            changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
            request=request,
        )


@admin.register(LicensedFont)
class LicensedFontAdmin(admin.ModelAdmin):
    form = FontForm
    list_display = ["role", "family", "original_name", "uploaded_by", "uploaded_at"]
    readonly_fields = ["family", "postscript_name", "sha256", "uploaded_by", "uploaded_at"]

    def has_module_permission(self, request):
        return assets.may_manage_fonts(request.user)

    def has_view_permission(self, request, obj=None):
        return assets.may_manage_fonts(request.user)

    def has_add_permission(self, request):
        return assets.may_manage_fonts(request.user)

    def has_change_permission(self, request, obj=None):
        return assets.may_manage_fonts(request.user)

    def has_delete_permission(self, request, obj=None):
        return assets.may_manage_fonts(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "role"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("upload")
        if upload is not None:
            assets.font_store(font=obj, upload=upload, by=request.user, request=request)

    def delete_model(self, request, obj):
        audit_record(
            action="documents.font_remove",
            actor=request.user,
            obj=obj,
            changes={"role": obj.role, "family": obj.family, "sha256": obj.sha256},
            request=request,
        )
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
