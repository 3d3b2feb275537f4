"""The outgoing-document (发文) rows of the access table (see tests/access.py).

The document is drafted by the clerk (综合科) and waits for the mayor's signature: it is seen by
its drafting section (clerk, its head, the petition officer who sits in 综合科), the signer, and
the roles that see every unrestricted document (secretary, supervisor). The edit page uses a
fresh draft: the drafting section may edit it; the secretary sees it but may not (403).
"""

from __future__ import annotations

from django.urls import reverse

from tests.access import ADMINS, BUSINESS, everyone, only

SEEN_BY = ["clerk", "section_head", "petition_officer", "secretary", "leader", "supervisor"]
TRANSITIONS = ["submit", "review", "cosign", "legal", "sign", "register", "void", "dispatch"]
TRANSITIONS += ["archive", "filing", "translate", "attach"]

TABLE: dict[str, dict[str, object]] = {
    "documents:outgoing_list": everyone(200),
    "documents:outgoing_new": only(["clerk", "other_section_staff", "section_head", "secretary"]),
    "documents:outgoing": only(SEEN_BY, refused=404),
    "documents:outgoing_pdf": only(SEEN_BY, refused=404),
    # The OFD of an issued document (its record copy): those who see the document.
    "documents:outgoing_ofd": only(SEEN_BY, refused=404),
    "documents:outgoing_edit": {
        **only(["clerk", "section_head", "petition_officer"], refused=404),
        "secretary": 403,
        "supervisor": 403,
    },
    **{f"documents:outgoing_{name}": everyone(405) for name in TRANSITIONS},
    "documents:translation_submit": everyone(405),
    "documents:outgoing_detach": everyone(405),
    # An attached file: downloaded by exactly those who see the document.
    "documents:outgoing_file": only(SEEN_BY, refused=404),
    # The register of normative documents: the roles that see every document (and 法制办).
    "documents:normative_register": only(["secretary", "supervisor"]),
    # The 归档文件目录: the archivist's (not a persona of the table), refused to everyone here.
    "documents:archive_catalogue": only([]),
}


# The admin pages of the seals (the security admin alone) and the licensed fonts (the system admin
# alone): each admin page answers 200 to its role and 403 to the other admins.
_ADMIN_GRANTS = {"issuerseal": ("security_admin", "vac"), "licensedfont": ("system_admin", "vacd")}
_ADMIN_VIEWS = {"changelist": "v", "add": "a", "change": "v", "delete": "d", "history": "v"}
for _model, (_role, _letters) in _ADMIN_GRANTS.items():
    for _view, _letter in _ADMIN_VIEWS.items():
        TABLE[f"admin:documents_{_model}_{_view}"] = {
            "anonymous": "admin-login",
            **dict.fromkeys(BUSINESS, "admin-login"),
            **{p: 200 if p == _role and _letter in _letters else 403 for p in ADMINS},
        }


# For tests/test_access_table.py: the same grants, so its rows for these pages match ours.
ADMIN_MODELS = {f"documents_{m}": {role: letters} for m, (role, letters) in _ADMIN_GRANTS.items()}


def _admin_object(model: str):
    from documents.models import IssuerSeal, LicensedFont
    from tests.documents.outgoing_flow import upload_font, upload_seal

    if model == "issuerseal":
        return IssuerSeal.objects.first() or upload_seal()
    return LicensedFont.objects.first() or upload_font()


def _signing():
    from tests.documents.outgoing_flow import reviewed

    return reviewed()


def _with_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.outgoing import services
    from tests.documents.outgoing_flow import draft, reviewed, user

    doc = draft()
    upload = SimpleUploadedFile("检查表.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    attachment = services.outgoing_attach(document=doc, by=user("clerk"), upload=upload)
    reviewed(doc)
    return doc, attachment


def _issued():
    from documents.outgoing import services
    from tests.documents.outgoing_flow import registered, upload_seal, user

    upload_seal("乌兰浩特市人民政府")
    doc = registered()
    services.outgoing_print(document=doc, by=user("secretary"))
    return doc


def url_for(name: str) -> str:
    if name.startswith("admin:documents_"):
        model, view = name.removeprefix("admin:documents_").rsplit("_", 1)
        if view in ("change", "delete", "history"):
            return reverse(name, args=[_admin_object(model).pk])
        return reverse(name)
    if name == "documents:outgoing_detach":
        return reverse(name, args=[1, 1])
    if name == "documents:outgoing_file":
        doc, attachment = _with_file()
        return reverse(name, args=[doc.pk, attachment.pk])
    if name.removeprefix("documents:outgoing_") in TRANSITIONS or name.endswith("_submit"):
        return reverse(name, args=[1])  # POST-only: refused before any lookup
    if name == "documents:outgoing_ofd":
        return reverse(name, args=[_issued().pk])
    if name in ("documents:outgoing", "documents:outgoing_pdf"):
        return reverse(name, args=[_signing().pk])
    if name == "documents:outgoing_edit":
        from tests.documents.outgoing_flow import draft

        return reverse(name, args=[draft().pk])
    return reverse(name)
