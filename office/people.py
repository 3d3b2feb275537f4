"""People's names as the office writes them: family name then given name, no space (王小明);
the sign-in name when a person has none. One function for every page, PDF, export and audit
entry; templates use the `person` filter of `zb`."""

from __future__ import annotations


def display_name(user) -> str:
    """王小明 — or the sign-in name; "" for no one."""
    if user is None:
        return ""
    full = f"{user.last_name or ''}{user.first_name or ''}".strip()
    return full or user.get_username()


def person_label(user) -> str:
    """A name with the post and section or unit, as a choice shows it: 王小明（科长 · 秘书科）."""
    staff = getattr(user, "staff", None)
    place = (staff.section or staff.unit) if staff is not None else None
    post = staff.post if staff is not None and staff.post else ""
    extra = " · ".join(str(x) for x in (post, place) if x)
    return f"{display_name(user)}（{extra}）" if extra else display_name(user)
