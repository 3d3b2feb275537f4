"""Every state change of an outgoing document (发文), one function per transition.

As for incoming documents: each locks the document row, checks the state (the table on
`documents.outgoing.models`) and the actor, changes the rows, opens and closes work items through
the spine, and writes one audit entry; notifications go to the outbox in the same transaction.
The steps are 拟稿 → 核稿 → 会签 → 合法性审查 → 签发 → 复核/登记 → 印制 → 核发 (第二十五条,
DOMAIN.md §0, §1.5, §6.2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import DocType, Marking, Retention
from documents.services import check_not_classified
from office.models import (
    URGENCY_PRIORITY,
    Section,
    Unit,
    UnitKind,
    Urgency,
    WorkAction,
    WorkItem,
    WorkKind,
    WorkState,
)
from office.numbers import next_number
from office.roles import Role
from office.services import TransitionError
from office.services.audit import audit_record
from office.services.workitems import staff_of, workitem_cancel, workitem_complete, workitem_open

from . import lint
from .models import (
    CoSign,
    CoSignState,
    Direction,
    Distribution,
    IssueNumber,
    IssueNumberState,
    OutgoingDocument,
    OutgoingSeries,
    OutgoingState,
    OutgoingVersion,
)

S = OutgoingState


class StaleVersion(TransitionError):
    """The draft was saved by someone else since this form was opened (S-30)."""

    def __init__(self, document: OutgoingDocument):
        self.document = document
        super().__init__(
            _("Someone else saved this draft meanwhile (version %(v)d); nothing was overwritten.")
            % {"v": document.version}
        )


class LintFindings(ValidationError):
    """行文规则 findings the drafter has neither fixed nor knowingly overridden."""

    def __init__(self, findings: Sequence[lint.Finding]):
        self.findings = list(findings)
        super().__init__([str(f.message) for f in self.findings], code="lint")


def issue_number_text(code: str, year: int, serial: int) -> str:
    """乌政办发〔2026〕12号: 六角括号, no 第, no leading zeros (GB/T 9704-2012 7.2.4)."""
    return f"{code}〔{year}〕{int(serial)}号"


# --- Helpers --------------------------------------------------------------------------------
def _locked(document: OutgoingDocument) -> OutgoingDocument:
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("series")
        .get(pk=document.pk)
    )


def _require_state(document: OutgoingDocument, *states: str) -> None:
    if document.state not in states:
        raise TransitionError(
            _("This cannot be done while the document is %(state)s; reload the page.")
            % {"state": document.get_state_display()}
        )


def _require(user, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _section(code: str) -> Section | None:
    return Section.objects.filter(code=code).first()


def _in_section(user, code: str) -> bool:
    staff = staff_of(user)
    return bool(staff and staff.section_id and staff.section.code == code)


def _open(document, **kwargs) -> WorkItem:
    return workitem_open(
        kind=WorkKind.DOCUMENT,
        subject=document,
        url=document.get_absolute_url(),
        urgency=document.urgency,
        **kwargs,
    )


def _items(document, *, action: str | None = None):
    qs = WorkItem.objects.filter(
        content_type__app_label="documents",
        content_type__model="outgoingdocument",
        object_id=document.pk,
        state=WorkState.OPEN,
    )
    return qs.filter(action=action) if action else qs


def _finish_all(document, *, by, outcome: str, now, action: str | None = None) -> None:
    for item in _items(document, action=action):
        workitem_complete(item=item, by=by, outcome=outcome[:500], authorised=True, now=now)


def _signer_for(document: OutgoingDocument):
    """The series names the signer per direction (上行: 市长签发); else the leader in charge of
    the drafting section (DOMAIN.md §0)."""
    signer = document.series.signer_for(document.direction)
    if signer is None:
        signer = document.drafting_section.leader_in_charge
    if signer is None or not signer.is_active or not signer.has_perm("documents.sign_outgoing"):
        raise ValidationError(_("No leader is configured to sign documents of this series."))
    return signer


def _snapshot(document: OutgoingDocument, by, now) -> None:
    OutgoingVersion.objects.create(
        document=document,
        number=document.version,
        title=document.title,
        body=document.body,
        attachments=document.attachments,
        notes=document.notes,
        saved_by=by,
        saved_at=now,
    )


def _check_fields(*, doc_type: str, direction: str, title: str, body: str, marking: str) -> None:
    check_not_classified(marking, title)
    if doc_type not in DocType.values:
        raise ValidationError(_("Choose the document type."))
    if direction not in Direction.values:
        raise ValidationError(_("Choose the direction."))
    if marking not in Marking.values:
        raise ValidationError(_("Choose the marking."))
    if marking == Marking.RESTRICTED:
        # An outgoing document passes the secretariat, co-signers and the legal office: a named
        # audience (知悉范围) is not modelled for it yet, so it is not offered.
        raise ValidationError(_("Outgoing documents are public or internal."))
    if not title.strip():
        raise ValidationError(_("Give the document a title."))
    if not body.strip():
        raise ValidationError(_("Write the body of the document."))


# --- 拟稿 -----------------------------------------------------------------------------------
def outgoing_draft(
    *,
    by,
    series: OutgoingSeries,
    doc_type: str,
    direction: str,
    title: str,
    body: str,
    main_recipients: Iterable[Unit] = (),
    copy_recipients: Iterable[Unit] = (),
    attachments: str = "",
    notes: str = "",
    marking: str = Marking.INTERNAL,
    urgency: str = Urgency.NORMAL,
    normative: bool = False,
    issuer_signature: str = "",
    now: dt.datetime | None = None,
) -> OutgoingDocument:
    """拟稿: a section member starts a draft. It has no number until registration."""
    now = now or timezone.now()
    _require(by, "documents.draft_outgoing", _("Only staff of a section draft documents."))
    staff = staff_of(by)
    if staff is None or staff.section_id is None:
        raise PermissionDenied(_("Only staff of a section draft documents."))
    if not series.active:
        raise ValidationError(_("This series is no longer in use."))
    _check_fields(doc_type=doc_type, direction=direction, title=title, body=body, marking=marking)
    with transaction.atomic():
        document = OutgoingDocument.objects.create(
            series=series,
            doc_type=doc_type,
            direction=direction,
            title=title.strip(),
            body=body.strip(),
            attachments=attachments.strip(),
            notes=notes.strip(),
            marking=marking,
            urgency=urgency,
            priority=URGENCY_PRIORITY[Urgency(urgency)],
            normative=normative,
            issuer_signature=(issuer_signature or series.issuer_name).strip(),
            drafted_by=by,
            drafting_section=staff.section,
            drafted_at=now,
        )
        document.main_recipients.set(list(main_recipients))
        document.copy_recipients.set(list(copy_recipients))
        _snapshot(document, by, now)
        audit_record(
            action="outgoing.draft",
            actor=by,
            obj=document,
            to_state=S.DRAFT,
            changes={"series": series.code, "doc_type": doc_type, "normative": normative},
            now=now,
        )
    return document


def can_edit(user, document: OutgoingDocument) -> bool:
    if document.state == S.DRAFT:
        staff = staff_of(user)
        return user.pk == document.drafted_by_id or bool(
            staff and staff.section_id == document.drafting_section_id
        )
    if document.state == S.SIGNED:
        return user.has_perm("documents.review_outgoing")
    return False


SUBSTANTIVE = ("title", "body", "attachments", "doc_type", "direction", "normative")


def outgoing_update(
    *,
    document: OutgoingDocument,
    by,
    expected_version: int,
    main_recipients: Iterable[Unit] | None = None,
    copy_recipients: Iterable[Unit] | None = None,
    now: dt.datetime | None = None,
    **fields,
) -> OutgoingDocument:
    """Save an edit as a new version. A save based on an older version than the current one is
    refused (`StaleVersion`): the view shows both texts, nothing is overwritten (S-30).

    At 复核 (state signed) the secretariat may correct the draft; a substantive change (text,
    type, direction) goes back to the signer (第二十五条)."""
    now = now or timezone.now()
    allowed = {"doc_type", "direction", "title", "body", "attachments", "notes", "marking"}
    allowed |= {"urgency", "normative", "issuer_signature"}
    fields = {k: v for k, v in fields.items() if k in allowed}
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, *[s for s in (S.DRAFT, S.SIGNED)])
        if not can_edit(by, document):
            raise PermissionDenied(_("You may not edit this document now."))
        if int(expected_version) != document.version:
            raise StaleVersion(document)
        merged = {
            k: fields.get(k, getattr(document, k))
            for k in ("doc_type", "direction", "title", "body", "marking")
        }
        _check_fields(**merged)
        changed = {}
        for key, value in fields.items():
            value = value.strip() if isinstance(value, str) else value
            if getattr(document, key) != value:
                changed[key] = value
                setattr(document, key, value)
        if "urgency" in changed:
            document.priority = URGENCY_PRIORITY[Urgency(document.urgency)]
        recipients_changed = False
        for attr, units in (
            ("main_recipients", main_recipients),
            ("copy_recipients", copy_recipients),
        ):
            if units is None:
                continue
            wanted = {u.pk for u in units}
            if wanted != set(getattr(document, attr).values_list("pk", flat=True)):
                getattr(document, attr).set(list(wanted))
                recipients_changed = True
                changed[attr] = sorted(wanted)
        if not changed:
            return document
        before = document.state
        document.version += 1
        substantive = recipients_changed or any(k in changed for k in SUBSTANTIVE)
        if document.state == S.SIGNED and substantive:
            document.state = S.SIGNING
            document.signed_at = None
            document.submitted_at = now
            _finish_all(document, by=by, outcome=_("changed at the final check"), now=now)
            _open(
                document,
                title=_("Sign again after changes: %(t)s") % {"t": document.title},
                action=WorkAction.SIGN,
                actor=by,
                assignee=document.signer,
                leader=document.signer,
                now=now,
            )
        elif document.state == S.SIGNED:
            # A correction of form at 复核 (notes, urgency, marking) stands on the signature.
            document.signed_version = document.version
        document.save()
        _snapshot(document, by, now)
        audit_record(
            action="outgoing.edit",
            actor=by,
            obj=document,
            from_state=before,
            to_state=document.state,
            changes={k: (v if k not in ("body",) else f"{len(v)} 字") for k, v in changed.items()},
            comment=f"v{document.version}",
            now=now,
        )
    return document


# --- 送核稿 (with the 行文规则 lint) -----------------------------------------------------------
def outgoing_submit(
    *, document: OutgoingDocument, by, overrides: Iterable[str] = (), now=None
) -> OutgoingDocument:
    """The drafter sends the draft for review. Every lint finding is fixed or knowingly
    overridden: overrides are recorded on the document and in the audit entry."""
    now = now or timezone.now()
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.DRAFT)
        if not can_edit(by, document):
            raise PermissionDenied(_("Only the drafting section sends a draft for review."))
        codes = {f.code for f in lint.check(document)}
        overrides = sorted(set(overrides) & codes)
        document.lint_overrides = overrides
        remaining = lint.open_findings(document)
        if remaining:
            raise LintFindings(remaining)
        document.state = S.REVIEWING
        document.submitted_at = now
        document.save()
        _finish_all(document, by=by, outcome=_("sent for review"), now=now)
        _open(
            document,
            title=_("Review draft: %(t)s") % {"t": document.title},
            action=WorkAction.REVIEW,
            actor=by,
            section=_section("secretariat"),
            rule="document.handle",
            now=now,
        )
        audit_record(
            action="outgoing.submit",
            actor=by,
            obj=document,
            from_state=S.DRAFT,
            to_state=S.REVIEWING,
            changes={"lint_overrides": overrides},
            now=now,
        )
    return document


def _back_to_drafter(document, *, by, reason: str, now) -> None:
    document.state = S.DRAFT
    document.save()
    _finish_all(document, by=by, outcome=reason, now=now)
    _open(
        document,
        title=_("Revise draft: %(t)s") % {"t": document.title},
        action=WorkAction.HANDLE,
        actor=by,
        assignee=document.drafted_by,
        now=now,
    )


def _to_legal_or_signing(document, *, by, now) -> None:
    if document.normative and document.legal_passed is not True:
        document.state = S.LEGAL_REVIEW
        document.save()
        _open(
            document,
            title=_("Legality review: %(t)s") % {"t": document.title},
            action=WorkAction.REVIEW,
            actor=by,
            section=_section("legal"),
            rule="document.handle",
            now=now,
        )
        return
    _to_signing(document, by=by, now=now)


def _to_signing(document, *, by, now) -> None:
    document.signer = _signer_for(document)
    document.state = S.SIGNING
    document.submitted_at = now
    document.save()
    _open(
        document,
        title=_("For signature: %(t)s") % {"t": document.title},
        action=WorkAction.SIGN,
        actor=by,
        assignee=document.signer,
        leader=document.signer,
        now=now,
    )


# --- 核稿 -----------------------------------------------------------------------------------
def outgoing_review(
    *,
    document: OutgoingDocument,
    by,
    approve: bool,
    comment: str = "",
    cosign_sections: Iterable[Section] = (),
    cosign_units: Iterable[Unit] = (),
    now=None,
) -> OutgoingDocument:
    """核稿 by the secretariat: back to the drafter with a reason, or on to 会签 (the sections and
    units named, in parallel), the legality review (normative documents) or the signer."""
    now = now or timezone.now()
    _require(by, "documents.review_outgoing", _("Only the secretariat reviews drafts."))
    if not approve and not comment.strip():
        raise ValidationError(_("Say what must be changed."))
    sections, units = list(cosign_sections), list(cosign_units)
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.REVIEWING)
        if not approve:
            _back_to_drafter(document, by=by, reason=comment, now=now)
        else:
            _finish_all(document, by=by, outcome=comment or _("reviewed"), now=now)
            document.legal_passed = None if document.normative else document.legal_passed
            if sections or units:
                document.state = S.COSIGNING
                document.save()
                CoSign.objects.filter(document=document, state=CoSignState.PENDING).update(
                    state=CoSignState.CANCELLED
                )
                for party in [*sections, *units]:
                    is_section = isinstance(party, Section)
                    item = _open(
                        document,
                        title=_("Co-sign: %(t)s") % {"t": document.title},
                        action=WorkAction.REVIEW,
                        actor=by,
                        section=party if is_section else None,
                        unit=None if is_section else party,
                        rule="document.handle",
                        now=now,
                    )
                    CoSign.objects.create(
                        document=document,
                        section=party if is_section else None,
                        unit=None if is_section else party,
                        work_item=item,
                    )
            else:
                _to_legal_or_signing(document, by=by, now=now)
        audit_record(
            action="outgoing.review" if approve else "outgoing.review_return",
            actor=by,
            obj=document,
            from_state=S.REVIEWING,
            to_state=document.state,
            comment=comment,
            changes={"cosign": [str(p) for p in [*sections, *units]]} if approve else None,
            now=now,
        )
    return document


# --- 会签 -----------------------------------------------------------------------------------
def can_cosign(user, cosign: CoSign) -> bool:
    staff = staff_of(user)
    if staff is None:
        return False
    if cosign.section_id:
        return staff.section_id == cosign.section_id
    return staff.unit_id == cosign.unit_id


def cosign_decide(*, cosign: CoSign, by, agree: bool, opinion: str = "", now=None) -> CoSign:
    """One co-signing party agrees or disagrees. When all agreed the document moves on; one
    disagreement sends it back to the drafter and cancels the other parties' work."""
    now = now or timezone.now()
    if not agree and not opinion.strip():
        raise ValidationError(_("Say why you do not agree."))
    with transaction.atomic():
        document = _locked(cosign.document)
        cosign = CoSign.objects.select_for_update().get(pk=cosign.pk)
        _require_state(document, S.COSIGNING)
        if not can_cosign(by, cosign):
            raise PermissionDenied(_("Only the co-signing section or unit decides."))
        if cosign.state != CoSignState.PENDING:
            raise TransitionError(_("This co-signing has already been decided; reload the page."))
        cosign.state = CoSignState.AGREED if agree else CoSignState.DISAGREED
        cosign.opinion = opinion.strip()
        cosign.decided_by = by
        cosign.decided_at = now
        cosign.save()
        item = WorkItem.objects.get(pk=cosign.work_item_id)
        if item.state == WorkState.OPEN:
            workitem_complete(item=item, by=by, outcome=opinion, authorised=True, now=now)
        if not agree:
            for other in CoSign.objects.filter(document=document, state=CoSignState.PENDING):
                other.state = CoSignState.CANCELLED
                other.save(update_fields=["state"])
                workitem_cancel(
                    item=other.work_item, by=None, reason=_("a co-signer disagreed"), now=now
                )
            _back_to_drafter(document, by=by, reason=opinion, now=now)
        elif not CoSign.objects.filter(document=document, state=CoSignState.PENDING).exists():
            _to_legal_or_signing(document, by=by, now=now)
        audit_record(
            action="outgoing.cosign" if agree else "outgoing.cosign_disagree",
            actor=by,
            obj=document,
            from_state=S.COSIGNING,
            to_state=document.state,
            comment=opinion,
            changes={"party": str(cosign)},
            now=now,
        )
    return cosign


# --- 合法性审查 -------------------------------------------------------------------------------
def outgoing_legal_review(
    *, document: OutgoingDocument, by, passed: bool, opinion: str, now=None
) -> OutgoingDocument:
    """法制办 reviews a normative document. One that fails cannot be signed (DOMAIN.md §6.2)."""
    now = now or timezone.now()
    if not _in_section(by, "legal"):
        raise PermissionDenied(_("Only the legal affairs office reviews legality."))
    if not opinion.strip():
        raise ValidationError(_("Write the review opinion."))
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.LEGAL_REVIEW)
        document.legal_passed = passed
        _finish_all(document, by=by, outcome=opinion, now=now)
        if passed:
            _to_signing(document, by=by, now=now)
        else:
            _back_to_drafter(document, by=by, reason=opinion, now=now)
        audit_record(
            action="outgoing.legal_pass" if passed else "outgoing.legal_fail",
            actor=by,
            obj=document,
            from_state=S.LEGAL_REVIEW,
            to_state=document.state,
            comment=opinion,
            now=now,
        )
    return document


# --- 签发 -----------------------------------------------------------------------------------
def outgoing_sign(
    *, document: OutgoingDocument, by, approve: bool = True, comment: str = "", now=None
) -> OutgoingDocument:
    """签发 by the leader the series and direction require, from the approval queue."""
    now = now or timezone.now()
    _require(by, "documents.sign_outgoing", _("Only a city leader signs documents."))
    if not approve and not comment.strip():
        raise ValidationError(_("Say what must be changed."))
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.SIGNING)
        if document.signer_id != by.pk:
            raise PermissionDenied(_("This document waits for another leader's signature."))
        if document.normative and document.legal_passed is not True:
            raise TransitionError(
                _("A normative document that has not passed the legality review cannot be signed.")
            )
        document.sign_comment = comment.strip()
        if approve:
            document.state = S.SIGNED
            document.signed_at = now
            document.signed_version = document.version
            document.save()
            _finish_all(document, by=by, outcome=comment or _("signed"), now=now)
            _open(
                document,
                title=_("Final check and number: %(t)s") % {"t": document.title},
                action=WorkAction.REGISTER,
                actor=by,
                section=_section("secretariat"),
                rule="document.dispatch",
                now=now,
            )
        else:
            _back_to_drafter(document, by=by, reason=comment, now=now)
        audit_record(
            action="outgoing.sign" if approve else "outgoing.sign_return",
            actor=by,
            obj=document,
            from_state=S.SIGNING,
            to_state=document.state,
            comment=comment,
            now=now,
        )
    return document


# --- 复核 + 登记: the issue number --------------------------------------------------------------
def outgoing_register(*, document: OutgoingDocument, by, copies: int = 0, now=None):
    """复核 passed, 登记: the next number of the series' counter for this year, taken under the
    counter's row lock in this transaction (a rollback gives it back: gapless, S-29)."""
    now = now or timezone.now()
    _require(by, "documents.review_outgoing", _("Only the secretariat numbers documents."))
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.SIGNED)
        if document.signed_version != document.version:
            raise TransitionError(_("The text changed after signature; it must be signed again."))
        series = document.series
        year = timezone.localtime(now).year
        serial = next_number(series.code, year)
        text = issue_number_text(series.code, year, serial)
        IssueNumber.objects.create(
            series=series,
            year=year,
            serial=serial,
            text=text,
            document=document,
            issued_by=by,
            issued_at=now,
        )
        document.issue_year, document.issue_serial, document.issue_number = year, serial, text
        document.issued_on = timezone.localtime(now).date()
        document.copies = max(0, int(copies or 0))
        document.state = S.REGISTERED
        document.save()
        audit_record(
            action="outgoing.register",
            actor=by,
            obj=document,
            from_state=S.SIGNED,
            to_state=S.REGISTERED,
            changes={"issue_number": text, "copies": document.copies},
            now=now,
        )
    return document


def outgoing_void_number(*, document: OutgoingDocument, by, reason: str, now=None):
    """A number given out in error is recorded as voided with the reason, never reused; the
    document goes back to 'signed' and takes the next number when registered again."""
    now = now or timezone.now()
    _require(by, "documents.review_outgoing", _("Only the secretariat voids numbers."))
    if not reason.strip():
        raise ValidationError(_("Say why the number is voided."))
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.REGISTERED)
        number = IssueNumber.objects.select_for_update().get(
            document=document, state=IssueNumberState.ISSUED, serial=document.issue_serial
        )
        number.state = IssueNumberState.VOIDED
        number.void_reason = reason.strip()
        number.voided_at = now
        number.save()
        voided = document.issue_number
        from office.services.records import record_void

        record_void(obj=document, by=by, reason=reason, now=now)
        document.issue_year = document.issue_serial = None
        document.issue_number = ""
        document.issued_on = None
        document.state = S.SIGNED
        document.save()
        audit_record(
            action="outgoing.void_number",
            actor=by,
            obj=document,
            from_state=S.REGISTERED,
            to_state=S.SIGNED,
            comment=reason,
            changes={"voided": voided},
            now=now,
        )
    return document


# --- 印制 + 核发 ------------------------------------------------------------------------------
def outgoing_print(*, document: OutgoingDocument, by=None, now=None):
    """印制: the numbered document typeset once, sealed, and kept as issued — the printed PDF and
    its OFD become the record copy (office.models.RecordCopy, SHA-256 in the audit entry). Every
    later print, download, the public page and the archive serve that copy; a second call
    returns it (GB/T 18894-2016: the record stays as issued). Raises TransitionError when the
    document cannot be printed (no seal where one is required, an attachment that is not a PDF,
    OFD or image)."""
    from office.services.records import record_copy, record_keep

    from . import typeset

    now = now or timezone.now()
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.REGISTERED, S.DISPATCHED, S.ARCHIVED)
        existing = record_copy(document)
        if existing is not None:
            return existing
        try:
            printed = typeset.typeset_document(document, ofd=True)
        except (typeset.SealUnavailable, typeset.AttachmentUnprintable) as error:
            raise TransitionError(str(error)) from error
        return record_keep(
            obj=document,
            printed=printed,
            reference=document.issue_number,
            title=document.title,
            fonts=typeset.fonts_used(),
            by=by,
            now=now,
        )


def outgoing_dispatch(
    *, document: OutgoingDocument, by, distribution: Iterable[tuple[Unit, int]] = (), now=None
) -> OutgoingDocument:
    """核发: record who gets how many copies. Every main and copy recipient is distributed to;
    an internal (subordinate) unit of this system receives it as an incoming document."""
    from documents import services as incoming

    now = now or timezone.now()
    _require(by, "documents.review_outgoing", _("Only the secretariat dispatches documents."))
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.REGISTERED)
        dispatch_check(document)
        outgoing_print(document=document, by=by, now=now)  # 印制 before 核发: kept as issued
        copies = {u.pk: (u, max(1, int(n or 1))) for u, n in distribution}
        for unit in [*document.main_recipients.all(), *document.copy_recipients.all()]:
            copies.setdefault(unit.pk, (unit, 1))
        if not copies:
            raise ValidationError(_("Name at least one recipient."))
        created = []
        for unit, n in copies.values():
            incoming_doc = None
            if unit.kind == UnitKind.SUBORDINATE and by.has_perm("documents.register_incoming"):
                incoming_doc = incoming.incoming_register(
                    by=by,
                    title=document.title,
                    doc_type=document.doc_type,
                    sender_name=document.series.issuer_name,
                    sender_reference=document.issue_number,
                    marking=document.marking
                    if document.marking != Marking.RESTRICTED
                    else "internal",
                    urgency=document.urgency,
                    copies=n,
                    written_on=document.issued_on,
                    received_at=now,
                    main_recipient=unit.name,
                    summary=document.body[:500],
                    now=now,
                )
                incoming._grant(incoming_doc, "lead", now, units=[unit])
            created.append(
                Distribution(
                    document=document, unit=unit, copies=n, incoming=incoming_doc, sent_at=now
                )
            )
        Distribution.objects.bulk_create(created)
        document.copies = max(document.copies, sum(n for _u, n in copies.values()))
        document.state = S.DISPATCHED
        document.dispatched_at = now
        document.save()
        _finish_all(document, by=by, outcome=_("dispatched"), now=now)
        if document.normative:
            _open_filing(document, by=by, now=now)
        archivist = (
            get_user_model()
            .objects.filter(groups__name=Role.ARCHIVIST, is_active=True)
            .order_by("pk")
            .first()
        )
        if archivist is not None:
            _open(
                document,
                title=_("File: %(t)s") % {"t": document.title},
                action=WorkAction.FILE,
                actor=by,
                assignee=archivist,
                rule="document.handle",
                notify_people=False,
                now=now,
            )
        audit_record(
            action="outgoing.dispatch",
            actor=by,
            obj=document,
            from_state=S.REGISTERED,
            to_state=S.DISPATCHED,
            changes={"distribution": {str(u): n for u, n in copies.values()}},
            now=now,
        )
    return document


def outgoing_archive(*, document: OutgoingDocument, by, retention: str, now=None):
    """立卷/归档 as for incoming documents (保管期限 永久 / 30年 / 10年)."""
    now = now or timezone.now()
    _require(by, "documents.archive_incoming", _("Only the archivist files documents."))
    if retention not in Retention.values:
        raise ValidationError(_("Choose the retention period."))
    with transaction.atomic():
        document = _locked(document)
        _require_state(document, S.DISPATCHED)
        document.state = S.ARCHIVED
        document.retention = retention
        document.archived_at = now
        document.save()
        item = _archive_item(document, by=by, now=now)
        _finish_all(document, by=by, outcome=_("filed"), now=now, action=WorkAction.FILE)
        audit_record(
            action="outgoing.archive",
            actor=by,
            obj=document,
            from_state=S.DISPATCHED,
            to_state=S.ARCHIVED,
            changes={"retention": retention, "archive_code": item.archive_code},
            now=now,
        )
    return document


def _archive_item(document: OutgoingDocument, *, by, now):
    """The 件 of the 归档文件目录 (DA/T 22-2015): the next 件号 within 全宗/年度/保管期限/机构, under
    the counter's row lock in this transaction; the record copy as issued and its hash."""
    from django.conf import settings

    from .models import ArchiveItem

    copy = outgoing_print(document=document, by=by, now=now)
    fonds = settings.ARCHIVE_FONDS
    year = document.issue_year or timezone.localtime(now).year
    section = document.drafting_section.code
    number = next_number(f"档{fonds}{document.retention}{section}"[:30], year)
    return ArchiveItem.objects.create(
        fonds=fonds,
        year=year,
        retention=document.retention,
        section_code=section,
        number=number,
        document=document,
        reference=document.issue_number,
        title=document.title,
        responsible=document.issuer_signature or document.series.issuer_name,
        written_on=document.issued_on,
        pages=copy.pages,
        sha256=copy.pdf_sha256,
        archived_by=by,
        archived_at=now,
    )


# --- 规范性文件备案 ---------------------------------------------------------------------------
def _open_filing(document, *, by, now) -> None:
    """After publication (核发) a normative document is due for filing within 30 days."""
    from .models import NormativeFiling

    item = _open(
        document,
        title=_("File for record with the higher government: %(t)s") % {"t": document.title},
        action=WorkAction.REPORT,
        actor=by,
        section=_section("legal"),
        rule="normative.filing",
        start=now,
        now=now,
    )
    NormativeFiling.objects.create(
        document=document, published_on=timezone.localtime(now).date(), work_item=item
    )


def filing_record(
    *,
    filing,
    by,
    filed_on: dt.date,
    valid_until: dt.date,
    package: Iterable[str],
    reference: str = "",
    effective_on: dt.date | None = None,
    early_effect_reason: str = "",
    now=None,
):
    """法制办 records the filing: the whole package sent, the validity period; a review (清理)
    reminder is opened to fall due 90 days before the document expires."""
    from .models import FILING_PACKAGE, FilingState, NormativeFiling

    now = now or timezone.now()
    if not _in_section(by, "legal"):
        raise PermissionDenied(_("Only the legal affairs office records filings."))
    missing = [str(label) for key, label in FILING_PACKAGE.items() if key not in set(package)]
    if missing:
        raise ValidationError(
            _("The filing package is incomplete: %(m)s.") % {"m": "、".join(missing)}
        )
    with transaction.atomic():
        filing = (
            NormativeFiling.objects.select_for_update().select_related("document").get(pk=filing.pk)
        )
        if filing.state != FilingState.DUE:
            raise TransitionError(_("This filing has already been recorded; reload the page."))
        if filed_on < filing.published_on or valid_until <= filed_on:
            raise ValidationError(_("Check the dates: filed after publication, valid after that."))
        if (
            effective_on is not None
            and (effective_on - filing.published_on).days < 30
            and not early_effect_reason.strip()
        ):
            raise ValidationError(
                _("It takes effect within 30 days of publication: the explanation must say why.")
            )
        filing.state = FilingState.FILED
        filing.filed_on, filing.filed_by = filed_on, by
        filing.valid_until, filing.effective_on = valid_until, effective_on
        filing.early_effect_reason = early_effect_reason.strip()
        filing.reference = reference.strip()
        filing.package = sorted(set(package))
        item = WorkItem.objects.get(pk=filing.work_item_id)
        if item.state == WorkState.OPEN:
            workitem_complete(item=item, by=by, outcome=filing.reference, authorised=True, now=now)
        review_due = dt.datetime.combine(
            valid_until - dt.timedelta(days=90), dt.time.min, tzinfo=timezone.get_current_timezone()
        )
        filing.review_item = _open(
            filing.document,
            title=_("Review (清理) before it expires: %(t)s") % {"t": filing.document.title},
            action=WorkAction.REVIEW,
            actor=by,
            section=_section("legal"),
            due_at=max(review_due, now),
            notify_people=False,
            now=now,
        )
        filing.save()
        audit_record(
            action="outgoing.filing",
            actor=by,
            obj=filing.document,
            changes={
                "filed_on": filed_on.isoformat(),
                "valid_until": valid_until.isoformat(),
                "reference": filing.reference,
            },
            now=now,
        )
    return filing


# --- 翻译 ----------------------------------------------------------------------------------
def translation_request(
    *, document: OutgoingDocument, by, translator, due_on: dt.date, language: str = "mn", now=None
):
    """The secretariat or the drafting section gives a translation task with a deadline."""
    from office import workcalendar

    from .models import Translation

    now = now or timezone.now()
    staff = staff_of(by)
    if not (
        by.has_perm("documents.review_outgoing")
        or (staff and staff.section_id == document.drafting_section_id)
    ):
        raise PermissionDenied(
            _("Only the secretariat or the drafting section orders translations.")
        )
    if language not in dict(Translation.LANGUAGES):
        raise ValidationError(_("Choose the language."))
    if translator is None or not translator.is_active or staff_of(translator) is None:
        raise ValidationError(_("Choose the translator."))
    if due_on < timezone.localtime(now).date():
        raise ValidationError(_("The deadline cannot be in the past."))
    with transaction.atomic():
        document = _locked(document)
        if document.state == S.ARCHIVED:
            raise TransitionError(_("An archived document cannot be changed."))
        item = _open(
            document,
            title=_("Translate: %(t)s") % {"t": document.title},
            action=WorkAction.HANDLE,
            actor=by,
            assignee=translator,
            due_at=workcalendar.end_of_day(due_on),
            now=now,
        )
        translation = Translation.objects.create(
            document=document,
            language=language,
            translator=translator,
            requested_by=by,
            requested_at=now,
            work_item=item,
        )
        audit_record(
            action="outgoing.translation_request",
            actor=by,
            obj=document,
            changes={"language": language, "translator": translator.get_username()},
            now=now,
        )
    return translation


def translation_submit(*, translation, by, text: str, title: str = "", now=None):
    """The translator hands in the translated text; the task is done."""
    from .models import Translation, TranslationState

    now = now or timezone.now()
    if not text.strip():
        raise ValidationError(_("Enter the translated text."))
    with transaction.atomic():
        translation = Translation.objects.select_for_update().get(pk=translation.pk)
        if translation.translator_id != by.pk:
            raise PermissionDenied(_("Only the translator hands in the translation."))
        if translation.state != TranslationState.REQUESTED:
            raise TransitionError(_("This translation has already been handed in."))
        translation.text, translation.title = text.strip(), title.strip()
        translation.state = TranslationState.SUBMITTED
        translation.submitted_at = now
        translation.save()
        item = WorkItem.objects.get(pk=translation.work_item_id)
        if item.state == WorkState.OPEN:
            workitem_complete(item=item, by=by, outcome="", authorised=True, now=now)
        audit_record(
            action="outgoing.translation_submit",
            actor=by,
            obj=translation.document,
            changes={"language": translation.language, "characters": len(translation.text)},
            now=now,
        )
    return translation


# --- Attachment files (附件) -----------------------------------------------------------------
def outgoing_attach(*, document: OutgoingDocument, by, upload, now=None):
    """A file attached to a draft, checked and stored as incoming attachments are (S-21…S-25:
    allowlist and content sniffing, size limit, a generated storage name); audited. Only while
    the document is a draft, by those who may edit it: after signature a new attachment is a
    substantive change and goes back through the route."""

    from office.files import check_upload, store_checked

    from .models import OutgoingAttachment

    now = now or timezone.now()
    info = check_upload(upload)
    with transaction.atomic():
        document = _locked(document)
        if document.state != S.DRAFT or not can_edit(by, document):
            raise PermissionDenied(_("Files can be attached only to a draft you may edit."))
        if document.files.count() >= MAX_FILES:
            raise ValidationError(_("A draft takes at most %(n)d files.") % {"n": MAX_FILES})
        attachment = OutgoingAttachment(document=document, uploaded_by=by, uploaded_at=now)
        store_checked(attachment, upload, info)
        audit_record(
            action="outgoing.attach",
            actor=by,
            obj=document,
            changes={"file": info.safe_name, "sha256": attachment.sha256, "size": info.size},
            now=now,
        )
    return attachment


def outgoing_detach(*, document: OutgoingDocument, by, attachment_id: int, now=None) -> None:
    """Remove a file from a draft (the stored file stays: the audit entry names its hash)."""
    now = now or timezone.now()
    with transaction.atomic():
        document = _locked(document)
        if document.state != S.DRAFT or not can_edit(by, document):
            raise PermissionDenied(_("Files can be removed only from a draft you may edit."))
        attachment = document.files.filter(pk=attachment_id).first()
        if attachment is None:
            raise ValidationError(_("That file is not attached to this draft."))
        audit_record(
            action="outgoing.detach",
            actor=by,
            obj=document,
            changes={"file": attachment.original_name, "sha256": attachment.sha256},
            now=now,
        )
        attachment.delete()


MAX_FILES = 20


def dispatch_check(document: OutgoingDocument) -> None:
    """印制 comes before 核发: a document that cannot be printed (no seal where one is required)
    cannot be dispatched. Raises TransitionError with the reason."""
    from . import typeset

    signature = document.issuer_signature or document.series.issuer_name
    try:
        typeset.seal_for(document, signature, document.doc_type == "minutes")
    except typeset.SealUnavailable as error:
        raise TransitionError(str(error)) from error
