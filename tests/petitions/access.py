"""The petitions rows of the access table (see tests/access.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.access import everyone

TABLE: dict[str, dict[str, object]] = {
    "petitions:index": everyone(200),
}


def url_for(name: str) -> str:
    return reverse(name)
