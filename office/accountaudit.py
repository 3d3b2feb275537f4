"""Every change to accounts, roles and permissions goes into the hash-chained audit, from any
screen — the Django admin, a command, the shell (等保 2.0 8.1.4.3 a/b; 8.1.4.2 三员分立; S-14,
S-37). Django's own admin log (``LogEntry``) is editable and says nothing of before/after; this
writes who, what, before and after into ``AuditEntry``.

Only this bookkeeping lives in signals (STYLE.md: no business logic in signals). The actor is
the person of the request being served (``CurrentRequestMiddleware``); outside a request
(commands, migrations) the entry names no actor and says so.
"""

from __future__ import annotations

import contextvars

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

_request: contextvars.ContextVar = contextvars.ContextVar("zb_request", default=None)

# The account fields whose changes are recorded; the password only as "changed".
USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)


class CurrentRequestMiddleware:
    """Remembers the request being served, so the audit can name who changed an account."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_request():
    return _request.get()


def _actor():
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _record(action: str, *, obj, changes: dict, comment: str = "") -> None:
    from .services.audit import audit_record

    request = _request.get()
    audit_record(
        action=action,
        actor=_actor(),
        obj=obj,
        object_repr=getattr(obj, "username", None) or str(obj),
        changes=changes,
        comment=comment or ("" if request is not None else "outside a request (command/shell)"),
        request=request,
    )


User = get_user_model()


@receiver(pre_save, sender=User)
def _user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if (
        raw
        or instance.pk is None
        or (update_fields is not None and set(update_fields) <= {"last_login"})
    ):
        instance._zb_before = None
        return
    old = sender.objects.filter(pk=instance.pk).values(*USER_FIELDS, "password").first()
    instance._zb_before = old


@receiver(post_save, sender=User)
def _user_after(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in, audited as such
    before = getattr(instance, "_zb_before", None)
    after = {f: getattr(instance, f) for f in USER_FIELDS}
    if created or before is None:
        _record("account.created", obj=instance, changes={"before": None, "after": after})
        return
    changed = {f: [before[f], after[f]] for f in USER_FIELDS if before[f] != after[f]}
    if before["password"] != instance.password:
        changed["password"] = ["…", "(changed)"]
    if changed:
        _record(
            "account.changed",
            obj=instance,
            changes={
                "before": {f: v[0] for f, v in changed.items()},
                "after": {f: v[1] for f, v in changed.items()},
            },
        )


@receiver(post_delete, sender=User)
def _user_deleted(sender, instance, **kwargs):
    _record("account.deleted", obj=instance, changes={"before": instance.username, "after": None})


def _names(model, pks) -> list[str]:
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(
        f"{app}.{code}"
        for app, code in model.objects.filter(pk__in=pks).values_list(
            "content_type__app_label", "codename"
        )
    )


def _current(instance, attr) -> list[str]:
    related = getattr(instance, attr)
    return _names(related.model, list(related.values_list("pk", flat=True)))


def _m2m(attr: str, action_name: str):
    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if reverse:  # changed from the other side (e.g. a group's user set): record per object
            if action not in ("post_add", "post_remove"):
                return
            for obj in model.objects.filter(pk__in=pk_set or ()):
                _record(
                    action_name,
                    obj=obj,
                    changes={
                        "added" if action == "post_add" else "removed": [str(instance)],
                        "after": _current(obj, attr),
                    },
                )
            return
        if action == "pre_clear":
            instance._zb_m2m_before = _current(instance, attr)
        elif action == "post_clear":
            before = getattr(instance, "_zb_m2m_before", [])
            if before:
                _record(action_name, obj=instance, changes={"before": before, "after": []})
        elif action in ("post_add", "post_remove") and pk_set:
            after = _current(instance, attr)
            moved = _names(model, pk_set)
            if action == "post_add":
                before = sorted(set(after) - set(moved))
            else:
                before = sorted(set(after) | set(moved))
            _record(action_name, obj=instance, changes={"before": before, "after": after})

    return handler


m2m_changed.connect(_m2m("groups", "account.roles_changed"), sender=User.groups.through, weak=False)
m2m_changed.connect(
    _m2m("user_permissions", "account.permissions_changed"),
    sender=User.user_permissions.through,
    weak=False,
)
m2m_changed.connect(
    _m2m("permissions", "role.permissions_changed"), sender=Group.permissions.through, weak=False
)


@receiver(post_save, sender=Group)
def _group_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and created:
        _record("role.created", obj=instance, changes={"before": None, "after": instance.name})


@receiver(post_delete, sender=Group)
def _group_deleted(sender, instance, **kwargs):
    _record("role.deleted", obj=instance, changes={"before": instance.name, "after": None})
