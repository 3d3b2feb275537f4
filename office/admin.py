"""The admin is how the three admins configure the office (sections, units, staff, roles)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import lockout
from .models import (
    AuditEntry,
    CalendarDay,
    CalendarYear,
    OutboxMessage,
    SecondFactor,
    Section,
    SignInThrottle,
    Staff,
    TimeLimitRule,
    Unit,
)
from .roles import ADMIN_ROLES, ADMIN_SITE_ROLES, check_role_combination
from .services import signin


class HeadFilter(admin.SimpleListFilter):
    title = _("head")
    parameter_name = "has_head"

    def lookups(self, request, model_admin):
        return [("no", _("No head"))]

    def queryset(self, request, queryset):
        return queryset.filter(head__isnull=True) if self.value() == "no" else queryset


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "head_or_warning",
        "leader_in_charge",
        "staff_count",
        "display_order",
        "active",
    ]
    list_editable = ["display_order"]
    list_filter = ["active", HeadFilter]
    search_fields = ["name", "code"]
    autocomplete_fields = ["head"]
    raw_id_fields = ["leader_in_charge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("head__user", "leader_in_charge")
            .annotate(_staff_count=Count("staff"))
        )

    def get_deleted_objects(self, objs, request):
        """A section in use is protected: say so, rather than "you may not delete staff"."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("staff"), ordering="_staff_count")
    def staff_count(self, obj: Section) -> int:
        return obj._staff_count

    @admin.display(description=_("head"), ordering="head__user__last_name")
    def head_or_warning(self, obj: Section):
        """A section without a head is flagged: its work goes to all its members and, at the
        head's rung, to its leader in charge (office.services.workitems.section_recipients)."""
        if obj.head_id:
            return obj.head
        return format_html(
            '<strong class="errornote">{}</strong>',
            _("No head: work goes to all members and the leader in charge"),
        )

    def changelist_view(self, request, extra_context=None):
        headless = [s.name for s in Section.objects.filter(active=True, head__isnull=True)]
        if headless:
            messages.warning(
                request,
                _(
                    "Sections without a head: %(names)s. Their work goes to all their members "
                    "(and to the leader in charge when it is escalated); name a head."
                )
                % {"names": "、".join(headless)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "kind",
        "parent",
        "contact_person",
        "contact_phone",
        "active",
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["__str__", "section", "unit", "post", "phone", "in_public_directory"]
    list_filter = ["section", "in_public_directory", "user__is_active"]
    search_fields = [
        "badge_number",
        "user__username",
        "user__last_name",
        "user__first_name",
        "post",
    ]
    list_select_related = ["user", "section", "unit"]
    autocomplete_fields = ["user", "section", "unit"]


class StaffInline(admin.StackedInline):
    model = Staff
    can_delete = False
    fk_name = "user"
    extra = 0
    max_num = 1
    autocomplete_fields = ["section", "unit"]
    verbose_name_plural = _("staff record")


class RoleCheckingUserChangeForm(UserChangeForm):
    """Role membership as 三员分立 allows it (GB/T 22239-2019 8.1.4.2): no forbidden combination,
    and the three admin roles themselves given or taken only by the superuser of the set-up
    (README, production step 3) — otherwise the security admin could make a second account of
    their own the audit admin."""

    request = None

    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        if groups is not None:
            check_role_combination(g.name for g in groups)
            actor = getattr(self.request, "user", None)
            if actor is not None and not actor.is_superuser:
                before = set()
                if self.instance.pk is not None:
                    before = set(self.instance.groups.values_list("name", flat=True))
                after = {g.name for g in groups}
                if (before ^ after) & ADMIN_ROLES:
                    raise ValidationError(
                        _(
                            "The three admin roles are given and taken only when the system is "
                            "set up (see the README), never by one of the admins."
                        )
                    )
        return groups


class UserAdmin(BaseUserAdmin):
    form = RoleCheckingUserChangeForm
    inlines = [StaffInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "roles"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "last_name", "first_name", "email", "staff__badge_number"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return "、".join(g.name for g in obj.groups.all())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # The security admin assigns roles; superuser status and loose per-user permissions
        # would let roles be bypassed, so they are not offered (三员分立).
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in _HIDDEN_USER_FIELDS]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            readonly += ["groups", "is_active"]  # nobody changes their own role or account
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # the initial password an admin chose: one sign-in only
            signin.password_set_by_admin(obj, by=request.user, request=request)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        names = set(user.groups.values_list("name", flat=True))
        is_staff = user.is_superuser or bool(names & ADMIN_SITE_ROLES)
        if user.is_staff != is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=is_staff)

    def user_change_password(self, request, id, form_url=""):
        """An admin sets someone's password: one-time (changed at the next sign-in), audited,
        the person told — and refused while that person's authenticator is reset, so the
        security admin never holds both factors (no take-over; 三员分立)."""
        user = self.get_object(request, unquote(id))
        if user is None or request.method != "POST" or user.pk == request.user.pk:
            return super().user_change_password(request, id, form_url)
        try:
            signin.may_set_password(user, by=request.user)
        except signin.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(reverse("admin:auth_user_change", args=[user.pk]))
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if response.status_code == 302:
                signin.password_set_by_admin(user, by=request.user, request=request)
        return response


_HIDDEN_USER_FIELDS = {"is_superuser", "user_permissions", "is_staff"}


class GroupAdmin(BaseGroupAdmin):
    """Roles, read-only: what each may do is ROLE_PERMISSIONS in office/roles.py — reviewed code,
    synced by migrations — so no admin can grant a business permission the table does not list
    (三员分立; S-14). Membership is set on the person (the user page)."""

    list_display = ["name", "member_count"]
    readonly_fields = ["name", "permission_list"]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("user"))

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj: Group) -> int:
        return obj._members

    @admin.display(description=_("permissions (office/roles.py)"))
    def permission_list(self, obj: Group) -> str:
        return format_html_join(
            "",
            "<div>{} <code>{}</code></div>",
            (
                (p.name, f"{p.content_type.app_label}.{p.codename}")
                for p in obj.permissions.select_related("content_type").order_by(
                    "content_type__app_label", "codename"
                )
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Years are entered on one page (/calendar/<year>/, the notice pasted and checked); the
    admin keeps the list and warns about a year saved here without a single day off."""

    list_display = ["year", "source", "loaded_at"]
    search_fields = ["year", "source"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not CalendarDay.objects.filter(date__year=obj.year, kind="holiday").exists():
            from django.contrib import messages
            from django.urls import reverse

            messages.warning(
                request,
                _(
                    "%(year)d has no public holiday entered: its deadlines now count every "
                    "weekday. Enter the State Council notice on the working calendar page: %(url)s"
                )
                % {"year": obj.year, "url": reverse("office:calendar_year", args=[obj.year])},
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = ["kind", "name"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "amount",
        "unit",
        "remind_before_hours",
        "max_extensions",
        "max_extension_amount",
        "pausable",
        "active",
    ]
    list_filter = ["unit", "pausable", "active"]
    search_fields = ["code", "name", "legal_basis"]

    def has_delete_permission(self, request, obj=None):
        return False  # work items point at rules; retire a rule by clearing "active"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit admin reads the trail here; nobody can add, change or delete entries."""

    list_display = [
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_repr",
        "from_state",
        "to_state",
        "outcome",
        "address",
    ]
    list_filter = ["action", "outcome", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_name", "object_repr", "object_id", "comment", "=address"]
    date_hierarchy = "at"
    show_full_result_count = False  # a count over millions of rows is not worth its cost


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "subject",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["channel", "state"]
    show_full_result_count = False


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


@admin.register(SecondFactor)
class SecondFactorAdmin(admin.ModelAdmin):
    """The security admin sees who has enrolled an authenticator and resets a lost one
    (deleting it; the person enrols again at the next sign-in). The secret is never shown."""

    list_display = ["user", "confirmed_at", "last_used_at"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    fields = ["user", "created_at", "confirmed_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.user_id == request.user.pk:
            return False  # nobody resets their own authenticator
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except signin.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(reverse("admin:office_secondfactor_changelist"))

    def delete_model(self, request, obj):
        signin.reset(obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for factor in queryset.select_related("user"):
            signin.reset(factor, by=request.user, request=request)

    def get_actions(self, request, action_location=None):
        return {}  # one at a time, each checked and audited


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):
    """Lock-outs (S-01): the security admin sees them and lifts one (deleting it; audited with
    what it was, office.lockout.unlock). Nobody lifts their own."""

    list_display = [
        "username",
        "address",
        "failures",
        "code_failures",
        "last_failure_at",
        "locked_until",
    ]
    search_fields = ["username", "=address"]
    readonly_fields = [*list_display, "first_failure_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.username == request.user.get_username():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=None):
        return {}

    def delete_model(self, request, obj):
        lockout.unlock(obj.username, by=request.user, request=request)

from . import admin_numbers  # noqa: E402, F401  (the number series)
