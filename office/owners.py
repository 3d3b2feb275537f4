"""Work items know their owner app (ARCHITECTURE.md "One shared core, apps that declare").

A work item opened for an app's object (a petition, a document, an agenda item, a task) is
that app's business: it is completed, cancelled, paused and resumed only by the app's own
transition — the one that also moves the object's state, the clock and the registers. The
generic inbox actions (办结, 暂停, 恢复, 撤销) are for free-standing items only (催办 notes, desk
promises). An app registers the models it owns in its `AppConfig.ready`:

    from office.owners import register_owner
    register_owner(Petition, visible=lambda user: Petition.objects.visible_to(user),
                   label=_("Open the petition to act on it"))

and `office/` needs no edit for a new app. The inbox then shows the app's link instead of the
generic actions, refuses a generic POST (409, nothing changes), and shows a person the owned
work of their section or unit only when they may open its object (a petition's desk work is not
shown to a 综合科 clerk who may not read petitions, S-11): whoever has an item in the inbox can
open its object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

GENERIC_REFUSED = gettext_lazy(
    "This work belongs to %(app)s: complete, pause, resume or cancel it there, on its own page, "
    "so its state, clock and registers move with it."
)


@dataclass(frozen=True)
class Owner:
    model: type
    visible: Callable  # user -> the queryset of the model's rows this person may open
    label: str  # what the inbox's link to the object says

    @property
    def app_name(self) -> str:
        from django.apps import apps

        return str(apps.get_app_config(self.model._meta.app_label).verbose_name)


_OWNERS: dict[str, Owner] = {}


def register_owner(model, *, visible: Callable, label=None) -> None:
    """Declare that work items on `model`'s rows belong to its app (call in AppConfig.ready)."""
    _OWNERS[model._meta.label_lower] = Owner(
        model=model, visible=visible, label=label or gettext_lazy("Open it to act on it")
    )


def owners() -> list[Owner]:
    return list(_OWNERS.values())


def owner_of(item) -> Owner | None:
    """The app that owns this work item, or None for a free-standing one."""
    if item.content_type_id is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(item.content_type_id).model_class()
    return _OWNERS.get(model._meta.label_lower) if model is not None else None


def openable_q(user) -> Q:
    """Work items whose object `user` may open — free-standing items always — as one filter of
    correlated EXISTS on each owner's own visibility rule (one index probe per row shown)."""
    from django.contrib.contenttypes.models import ContentType

    registered = []
    q = Q()
    for owner in _OWNERS.values():
        ct = ContentType.objects.get_for_model(owner.model)
        registered.append(ct.pk)
        rows = owner.visible(user).filter(pk=OuterRef("object_id"))
        q |= Q(content_type_id=ct.pk) & Exists(rows.values("pk"))
    if not registered:
        return Q()
    return Q(content_type__isnull=True) | ~Q(content_type_id__in=registered) | q


def refused_message(owner: Owner) -> str:
    return GENERIC_REFUSED % {"app": owner.app_name}
