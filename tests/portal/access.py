"""The public portal's rows of the access table (see tests/access.py): no sign-in needed."""

from __future__ import annotations

from django.urls import reverse

from tests.access import public

TABLE: dict[str, dict[str, object]] = {
    "portal:home": public(200),
}


def url_for(name: str) -> str:
    return reverse(name)
