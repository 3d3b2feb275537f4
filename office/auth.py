"""The signed-in person in one query: the user, their staff row (section, unit), their
permissions and their groups.

Django's ModelBackend loads the user on every request, then the shell loads the staff row and the
first permission check loads the person's own and their groups' permissions: four queries before
a page does anything (issue 21: the floor). On PostgreSQL this backend loads all of it in the one
query that reads the user, and fills the caches Django's ModelBackend and the shell read
(`_user_perm_cache`, `_group_perm_cache`, `_perm_cache`, `_zb_staff`, `_zb_group_names`). On any
other database (the embedded SQLite default) it loads the user and staff row together and leaves
the permissions to ModelBackend, which loads them as before.

A superuser has every permission; ModelBackend answers that from the Permission table and this
backend does not pre-fill it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import CharField, OuterRef, Value
from django.db.models.functions import Concat


def _codenames(permissions):
    return permissions.values(
        p=Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
    )


def load_user(user_id):
    """The user with staff row, permissions and groups (None when there is no such user)."""
    User = get_user_model()
    users = User._default_manager.select_related("staff__section", "staff__unit")
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        from django.contrib.postgres.expressions import ArraySubquery

        users = users.annotate(
            _zb_user_perms=ArraySubquery(
                _codenames(Permission.objects.filter(user=OuterRef("pk")))
            ),
            _zb_group_perms=ArraySubquery(
                _codenames(Permission.objects.filter(group__user=OuterRef("pk")))
            ),
            _zb_groups=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
        )
    user = users.filter(pk=user_id).first()
    if user is None:
        return None
    try:
        staff = user.staff
    except User.staff.RelatedObjectDoesNotExist:
        staff = None
    user._zb_staff = staff
    user._zb_staff_loaded = True  # None too: no staff row, nothing to look up again
    if on_postgres:
        user._zb_group_names = set(user._zb_groups)
        if user.is_active and not user.is_superuser:
            user._user_perm_cache = set(user._zb_user_perms)
            user._group_perm_cache = set(user._zb_group_perms)
            user._perm_cache = user._user_perm_cache | user._group_perm_cache
    return user


class OfficeBackend(ModelBackend):
    """ModelBackend whose `get_user` is `load_user` (one query for the person, see above)."""

    def get_user(self, user_id):
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
