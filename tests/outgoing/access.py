"""The outgoing-document (发文) rows of the access table (see tests/access.py).

The document is drafted by the clerk (综合科) and waits for the mayor's signature: it is seen by
its drafting section (clerk, its head, the petition officer who sits in 综合科), the signer, and
the roles that see every unrestricted document (secretary, supervisor). The edit page uses a
fresh draft: the drafting section may edit it; the secretary sees it but may not (403).
"""

from __future__ import annotations

from django.urls import reverse

from tests.access import everyone, only

SEEN_BY = ["clerk", "section_head", "petition_officer", "secretary", "leader", "supervisor"]
TRANSITIONS = ["submit", "review", "cosign", "legal", "sign", "register", "void", "dispatch"]
TRANSITIONS += ["archive", "filing", "translate"]

TABLE: dict[str, dict[str, object]] = {
    "documents:outgoing_list": everyone(200),
    "documents:outgoing_new": only(["clerk", "other_section_staff", "section_head", "secretary"]),
    "documents:outgoing": only(SEEN_BY, refused=404),
    "documents:outgoing_pdf": only(SEEN_BY, refused=404),
    "documents:outgoing_edit": {
        **only(["clerk", "section_head", "petition_officer"], refused=404),
        "secretary": 403,
        "supervisor": 403,
    },
    **{f"documents:outgoing_{name}": everyone(405) for name in TRANSITIONS},
    "documents:translation_submit": everyone(405),
    # The register of normative documents: the roles that see every document (and 法制办).
    "documents:normative_register": only(["secretary", "supervisor"]),
}


def _signing():
    from tests.documents.outgoing_flow import reviewed

    return reviewed()


def url_for(name: str) -> str:
    if name.removeprefix("documents:outgoing_") in TRANSITIONS or name.endswith("_submit"):
        return reverse(name, args=[1])  # POST-only: refused before any lookup
    if name in ("documents:outgoing", "documents:outgoing_pdf"):
        return reverse(name, args=[_signing().pk])
    if name == "documents:outgoing_edit":
        from tests.documents.outgoing_flow import draft

        return reverse(name, args=[draft().pk])
    return reverse(name)
