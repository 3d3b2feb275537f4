"""Shared vocabulary of the access table (SECURITY.md S-09, S-10).

`tests/test_access_table.py` holds the office's and the admin's rows; each app keeps its own rows
in `tests/<app>/access.py`, which defines

    TABLE: dict[str, dict[str, object]]   # URL name → {persona: expected answer}
    def url_for(name: str) -> str: ...     # a URL for that name (objects created as needed)

and the table test merges them, so a URL missing from every table still fails the suite.
Expected answers: 200, 403 (may see the area, not this), 404 (may not know it exists),
405 (wrong method), "login" (to the sign-in page), "admin-login" (to the admin's).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

PERSONAS = [
    "anonymous",
    "clerk",
    "other_section_staff",
    "section_head",
    "secretary",
    "leader",
    "petition_officer",
    "supervisor",
    "system_admin",
    "security_admin",
    "audit_admin",
]
BUSINESS = [
    "clerk",
    "other_section_staff",
    "section_head",
    "secretary",
    "leader",
    "petition_officer",
    "supervisor",
]
ADMINS = ["system_admin", "security_admin", "audit_admin"]


def everyone(signed_in, anonymous="login"):
    """The same answer for every signed-in persona."""
    return {"anonymous": anonymous, **dict.fromkeys(BUSINESS + ADMINS, signed_in)}


def only(allowed: list[str], refused=403, anonymous="login"):
    """200 for the personas named, `refused` for every other signed-in one."""
    return {
        "anonymous": anonymous,
        **{p: (200 if p in allowed else refused) for p in BUSINESS + ADMINS},
    }


def public(answer=200):
    """A public page: the same answer for everyone, signed in or not."""
    return dict.fromkeys(PERSONAS, answer)


def app_tables() -> list[ModuleType]:
    """Every `tests/<app>/access.py`, imported."""
    root = Path(__file__).parent
    return [
        importlib.import_module(f"tests.{path.parent.name}.access")
        for path in sorted(root.glob("*/access.py"))
    ]
