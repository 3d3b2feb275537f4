"""What the shell (base.html) needs on every page, in a fixed number of queries.

The person (user, staff row, permissions, groups) comes in the one query of
`office.auth.load_user`; the navigation's counts in the one query of
`office.navigation.navigation_counts`. With the session, a signed-in page's shell costs three
queries (tests/office/test_floor.py).
"""

from __future__ import annotations

from django.conf import settings

from .roles import ADMIN_SITE_ROLES, Role


def shell(request) -> dict:
    user = getattr(request, "user", None)
    context = {"office_name": settings.OFFICE_NAME}
    if user is None or not user.is_authenticated:
        return context
    from .navigation import navigation_counts
    from .services.workitems import staff_of

    staff = staff_of(user)
    context["current_staff"] = staff
    counts = getattr(request, "_zb_navigation_counts", None)
    if counts is None:
        counts = request._zb_navigation_counts = navigation_counts(user, staff)
    context.update(counts)
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
