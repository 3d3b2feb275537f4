"""Template helpers of the supervision pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A person's name as written in Chinese: family name then given name."""
    if not user:
        return ""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()
