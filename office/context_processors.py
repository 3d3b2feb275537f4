"""What the shell (base.html) needs on every page, in a fixed number of queries."""

from __future__ import annotations

from django.conf import settings

from .roles import ADMIN_SITE_ROLES, Role


def shell(request) -> dict:
    user = getattr(request, "user", None)
    context = {"office_name": settings.OFFICE_NAME}
    if user is None or not user.is_authenticated:
        return context
    staff = getattr(user, "_zb_staff", None)
    if staff is None:
        from .models import Staff

        staff = Staff.objects.select_related("section", "unit").filter(user=user).first()
        if staff is not None:
            staff.user = user  # the request's user object: no second query for the name
        user._zb_staff = staff
    context["current_staff"] = staff
    # Two counts for the navigation, each one indexed query whatever the volume.
    from .models import Notification, WorkItem

    context["open_count"] = WorkItem.objects.count_waiting_for(user, staff)
    context["unread_count"] = Notification.objects.filter(
        recipient=user, read_at__isnull=True
    ).count()
    context["shows_admin_link"] = user.is_superuser or (
        user.is_staff and bool(_group_names(user) & ADMIN_SITE_ROLES)
    )
    if user.is_staff and Role.SYSTEM_ADMIN in _group_names(user):
        # From 1 November while next year is provisional (the calendar is cached per process).
        from .services.calendar import next_year_warning

        context["calendar_warning"] = next_year_warning()
    return context


def _group_names(user) -> set[str]:
    cached = getattr(user, "_zb_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._zb_group_names = cached
    return cached
