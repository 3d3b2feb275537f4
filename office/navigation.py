"""The navigation's counts (待办, unread notifications, an app's own queue) in ONE query.

Each count is an index-only count on its own table; asking them one by one cost a round trip
each on every signed-in page (issue 21: the floor was 7 queries). An app declares its count in
`AppConfig.ready` with `register_count(name, builder)`; `builder(user, staff)` returns the
queryset(s) to count (a list is summed, as disjoint parts of one partial index each), or None
when the person has no such entry in the navigation (the template then shows no link). The
shell asks them all as scalar subqueries of one SELECT.

Why not a per-person cache: the default cache is a table in the database (settings.CACHES), so
a cache hit is itself one query and saves none, while every service that opens, closes, assigns
or reads work would have to invalidate it. Counted in the one query, the badge is never stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

Builder = Callable[..., QuerySet | Iterable[QuerySet] | None]
_COUNTS: dict[str, Builder] = {}


def register_count(name: str, builder: Builder) -> None:
    """Declare a navigation count, shown to the template as `name` (once per name)."""
    if name in _COUNTS and _COUNTS[name] is not builder:
        raise ValueError(f"navigation count {name!r} is registered twice")
    _COUNTS[name] = builder


def _count(queryset: QuerySet) -> Subquery:
    counted = queryset.order_by().values(n=Func(Value(1), function="COUNT"))
    return Subquery(counted, output_field=IntegerField())


def navigation_counts(user, staff) -> dict[str, int]:
    """Every registered count for this person, in one query (none when nothing applies)."""
    expressions = {}
    for name, builder in _COUNTS.items():
        parts = builder(user, staff)
        if parts is None:
            continue
        if isinstance(parts, QuerySet):
            parts = [parts]
        total = None
        for part in parts:
            counted = Coalesce(_count(part), 0)
            total = counted if total is None else total + counted
        expressions[name] = total
    if not expressions:
        return {}
    from django.contrib.auth import get_user_model

    # Any one-row table serves as the FROM; the user's own row is at hand and indexed.
    row = get_user_model()._default_manager.filter(pk=user.pk).values(**expressions).first()
    return row or dict.fromkeys(expressions, 0)
