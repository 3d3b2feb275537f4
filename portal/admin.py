"""Admin classes for the public texts and the service guides, NOT registered on the site.

The suite's admin table (tests/test_access_table.py ADMIN_MODELS) lists every registered model
with each admin persona's rights; helpers may not edit it, so the system admin edits these texts
on /service/content/ (portal.views_content) instead. To move them into the Django admin, register
these two classes and add `portal_publictext` / `portal_serviceguide` rows
({"system_admin": "vac"}) to ADMIN_MODELS."""

from __future__ import annotations

from django.contrib import admin

from office.services.audit import audit_record


class AuditedAdmin(admin.ModelAdmin):
    """What the public reads is changed on the record (留痕): one audit entry per save."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"{obj._meta.model_name}.{'change' if change else 'add'}",
            actor=request.user,
            obj=obj,
            changes={"fields": form.changed_data, "published": obj.published},
            request=request,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # unpublish instead: what was shown to the public stays on record


class PublicTextAdmin(AuditedAdmin):
    list_display = ["title", "slug", "published", "display_order", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "body"]


class ServiceGuideAdmin(AuditedAdmin):
    list_display = ["title", "section", "published", "display_order", "updated_at"]
    list_filter = ["published", "section"]
    search_fields = ["title", "summary", "materials"]
