"""Every state change of the spine goes through these functions (STYLE.md, Services)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class TransitionError(Exception):
    """The object is not in a state that allows this action; the message says why, in Chinese."""


__all__ = ["PermissionDenied", "TransitionError"]
