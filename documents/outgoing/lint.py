"""行文规则 checks before signature (党政机关公文处理工作条例 第十五条; DOMAIN.md §1.3, §2.7).

Each finding has a stable code; the drafter fixes it or overrides it knowingly (the override is
recorded on the document and in the audit entry). The checks only read the draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Direction

# A 报告 must not carry a request for instructions (不得夹带请示事项).
ASKING = ("请批示", "请审批", "请批准", "妥否，请", "妥否,请", "请予批准", "请指示", "请示如下")
WRONG_BRACKETS = re.compile(r"[\[【［(（]\s*(19|20)\d{2}\s*[\]】］)）]")
CONTACT = re.compile(r"联系人")


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


def check(document, *, main_count: int | None = None) -> list[Finding]:
    findings: list[Finding] = []
    if main_count is None:
        main_count = document.main_recipients.count() if document.pk else 0
    text = f"{document.title}\n{document.body}"
    if document.doc_type == "request":
        if main_count > 1:
            findings.append(
                Finding(
                    "request_one_main",
                    _("A 请示 has one main recipient; send it to the others as copies."),
                )
            )
        if document.direction == Direction.UPWARD and not document.series.signer_upward_id:
            findings.append(
                Finding(
                    "request_signer",
                    _("A 请示 needs a 签发人: the series names no signer for upward documents."),
                )
            )
        if not CONTACT.search(document.notes or ""):
            findings.append(
                Finding(
                    "request_contact",
                    _("A 请示 names a contact person and phone in the notes (附注)."),
                )
            )
    if document.doc_type == "report" and any(word in text for word in ASKING):
        findings.append(
            Finding(
                "report_asks",
                _("A 报告 must not ask for instructions; write a separate 请示."),
            )
        )
    section = document.series.issuing_section
    if section is not None and document.direction != Direction.UPWARD and main_count:
        findings.append(
            Finding(
                "section_own_name",
                _(
                    "An internal section does not issue external documents in its own name; "
                    "use the Office's series."
                ),
            )
        )
    if WRONG_BRACKETS.search(text):
        findings.append(
            Finding(
                "brackets",
                _("Years in document numbers are written in 〔〕, not [ ] 【】 or ( )."),
            )
        )
    return findings


def open_findings(document, **kwargs) -> list[Finding]:
    overridden = set(document.lint_overrides or [])
    return [f for f in check(document, **kwargs) if f.code not in overridden]
