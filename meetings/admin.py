"""The system admin configures meeting kinds (members, 列席, numbering, time limits) and rooms.
Meetings themselves change only through `meetings.services`."""

from __future__ import annotations

from django.contrib import admin

from office.services.audit import audit_record

from .models import MeetingKind, Room


class _Audited(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # meetings point at kinds and rooms; retire a room with `active`

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"meetings.{obj._meta.model_name}_{'change' if change else 'add'}",
            actor=request.user,
            obj=obj,
            changes={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
            request=request,
        )


@admin.register(MeetingKind)
class MeetingKindAdmin(_Audited):
    list_display = ["name", "code", "number_style", "mayor", "secretary_general", "paper_limit"]
    filter_horizontal = ["members", "standing_attendees"]


@admin.register(Room)
class RoomAdmin(_Audited):
    list_display = ["name", "capacity", "active"]
