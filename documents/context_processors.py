"""The approval queue's count in the navigation, for leaders only: one indexed count."""

from __future__ import annotations


def approval_queue(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The permission cache is filled here or by the navigation's own checks: no extra query
    # for people who are not leaders.
    if not user.has_perm("documents.instruct_incoming"):
        return {}
    from .models import IncomingDocument

    return {"approval_count": IncomingDocument.objects.awaiting(user).count()}
