"""Every state change of the portal (STYLE.md, Services): keyword-only, atomic, locked, checked,
audited once. Submissions from the public are rate-limited per address (SECURITY.md S-19); the
address itself is never stored, only a keyed hash of it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from office import workcalendar
from office.models import Section, Staff, TimeLimitRule, WorkAction, WorkKind
from office.services import TransitionError
from office.services.audit import audit_record
from office.services.notify import notify
from office.services.workitems import can_act, workitem_complete, workitem_extend, workitem_open

from .models import (
    OUTCOMES_NEEDING_REPLY,
    CommentState,
    DisclosureOutcome,
    DisclosureRequest,
    DisclosureState,
    Evaluation,
    Inquiry,
    InquiryMaterial,
    InquiryResult,
    Presence,
    PresenceStatus,
    Rating,
    ServiceGuide,
)

# Submissions from one address: at most this many ratings an hour, one per person or service a
# day, and this many disclosure requests a day. Settings may change them.
EVALUATIONS_PER_HOUR = getattr(settings, "PORTAL_EVALUATIONS_PER_HOUR", 5)
DISCLOSURES_PER_DAY = getattr(settings, "PORTAL_DISCLOSURES_PER_DAY", 3)
DISCLOSURE_SECTION = getattr(settings, "PORTAL_DISCLOSURE_SECTION", "general")


class RateLimited(TransitionError):
    """Too many submissions from one address; the message says when to try again."""


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


# --- 依申请公开 -------------------------------------------------------------------------------
def disclosure_section() -> Section:
    section = Section.objects.filter(code=DISCLOSURE_SECTION, active=True).first()
    if section is None:
        section = Section.objects.active().first()
    if section is None:
        raise TransitionError(_("The office has no section to receive requests yet."))
    return section


def disclosure_submit(
    *,
    applicant_name: str,
    phone: str,
    description: str,
    delivery: str,
    email: str = "",
    address: str = "",
    client: str,
    token: str | None = None,
    now: dt.datetime | None = None,
) -> DisclosureRequest:
    """A request from the public becomes a work item of the responsible section, due in 20
    working days (政府信息公开条例 第三十三条). The same form sent twice (the same `token`)
    gives back the first request: a double click makes one request."""
    now = now or timezone.now()
    token = token or secrets.token_hex(16)
    existing = DisclosureRequest.objects.filter(token=token).select_related("work_item").first()
    if existing is not None:
        return existing
    try:
        return _disclosure_create(
            applicant_name=applicant_name,
            phone=phone,
            description=description,
            delivery=delivery,
            email=email,
            address=address,
            client=client,
            token=token,
            now=now,
        )
    except IntegrityError:
        # The other click won the race: its request is the one.
        return DisclosureRequest.objects.select_related("work_item").get(token=token)


def _disclosure_create(
    *, applicant_name, phone, description, delivery, email, address, client, token, now
) -> DisclosureRequest:
    with transaction.atomic():
        recent = DisclosureRequest.objects.filter(
            client=client, received_at__gte=now - dt.timedelta(days=1)
        ).count()
        if recent >= DISCLOSURES_PER_DAY:
            raise RateLimited(
                _(
                    "You have sent %(n)d requests today. Please try again tomorrow, "
                    "or call the office."
                )
                % {"n": recent}
            )
        section = disclosure_section()
        request_obj = DisclosureRequest.objects.create(
            reference=f"GK{now.astimezone(workcalendar.local_tz()):%Y%m%d}"
            f"{secrets.token_hex(3).upper()}",
            applicant_name=applicant_name,
            phone=phone,
            email=email,
            address=address,
            description=description,
            delivery=delivery,
            section=section,
            received_at=now,
            client=client,
            token=token,
        )
        request_obj.work_item = workitem_open(
            title=_("Disclosure request %(ref)s: %(text)s")
            % {"ref": request_obj.reference, "text": description[:60]},
            kind=WorkKind.DISCLOSURE,
            action=WorkAction.REPLY,
            subject=request_obj,
            url=_url("portal_staff:disclosure", request_obj.pk),
            section=section,
            rule="disclosure.answer",
            now=now,
        )
        request_obj.save(update_fields=["work_item"])
        audit_record(
            action="disclosure.submit",
            obj=request_obj,
            to_state=DisclosureState.RECEIVED,
            now=now,
        )
    return request_obj


def _locked_disclosure(request_obj: DisclosureRequest) -> DisclosureRequest:
    return (
        DisclosureRequest.objects.select_for_update(of=("self",))
        .select_related("work_item", "section")
        .get(pk=request_obj.pk)
    )


def disclosure_answer(
    *, request_obj: DisclosureRequest, by, outcome: str, reply: str, now=None
) -> DisclosureRequest:
    """Answer a request with one of the outcomes of §6.3; not disclosed, already public and
    unclear need a written reply (the reasons, where to find it, what to clarify)."""
    now = now or timezone.now()
    if outcome not in DisclosureOutcome.values:
        raise TransitionError(_("Choose how the request is answered."))
    if outcome in OUTCOMES_NEEDING_REPLY and not reply.strip():
        raise TransitionError(
            _(
                "This answer needs a written reply: the reasons, where to find it, or what to clarify."
            )
        )
    with transaction.atomic():
        obj = _locked_disclosure(request_obj)
        if obj.state == DisclosureState.ANSWERED:
            raise TransitionError(_("This request has already been answered."))
        if obj.work_item is None or not can_act(by, obj.work_item):
            raise PermissionDenied(_("Only the responsible section may answer this request."))
        from_state = obj.state
        obj.state = DisclosureState.ANSWERED
        obj.outcome = outcome
        obj.reply = reply.strip()
        obj.answered_at = now
        obj.answered_by = by
        obj.save()
        workitem_complete(
            item=obj.work_item,
            by=by,
            outcome=DisclosureOutcome(outcome).label,
            authorised=True,
            now=now,
        )
        audit_record(
            action="disclosure.answer",
            actor=by,
            obj=obj,
            from_state=from_state,
            to_state=obj.state,
            changes={"outcome": outcome},
            now=now,
        )
    return obj


def disclosure_extend(*, request_obj: DisclosureRequest, by, reason: str, now=None):
    """The one extension of at most 20 working days; the rule says a leader approves it."""
    now = now or timezone.now()
    if not reason.strip():
        raise TransitionError(_("Say why more time is needed."))
    with transaction.atomic():
        obj = _locked_disclosure(request_obj)
        if obj.state != DisclosureState.RECEIVED:
            raise TransitionError(_("Only a request not yet extended or answered can be extended."))
        rule = TimeLimitRule.objects.get(code="disclosure.answer")
        workitem_extend(
            item=obj.work_item, by=by, amount=rule.max_extension_amount, reason=reason, now=now
        )
        obj.state = DisclosureState.EXTENDED
        obj.extension_reason = reason.strip()
        obj.save(update_fields=["state", "extension_reason"])
        audit_record(
            action="disclosure.extend",
            actor=by,
            obj=obj,
            from_state=DisclosureState.RECEIVED,
            to_state=obj.state,
            comment=reason,
            now=now,
        )
    return obj


# --- 去向牌 ---------------------------------------------------------------------------------
def can_set_presence(user, staff: Staff) -> bool:
    """The person themselves, or the head of their section."""
    if staff.user_id == user.pk:
        return True
    return (
        bool(staff.section_id)
        and Section.objects.filter(pk=staff.section_id, head__user=user).exists()
    )


def presence_set(*, staff: Staff, status: str, by, now=None) -> Presence:
    now = now or timezone.now()
    if status not in PresenceStatus.values:
        raise TransitionError(_("Choose where the person is today."))
    if not can_set_presence(by, staff):
        raise PermissionDenied(_("Only the person or their section head may set this."))
    today = now.astimezone(workcalendar.local_tz()).date()
    with transaction.atomic():
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        presence, _created = Presence.objects.update_or_create(
            staff=staff,
            defaults={"status": status, "day": today, "set_by": by, "updated_at": now},
        )
        audit_record(
            action="presence.set",
            actor=by,
            obj=staff,
            to_state=status,
            now=now,
        )
    return presence


# --- 社会评议 -------------------------------------------------------------------------------
def evaluation_submit(
    *,
    rating: str,
    comment: str = "",
    staff: Staff | None = None,
    guide: ServiceGuide | None = None,
    client: str,
    now=None,
) -> Evaluation:
    """A rating from the public. A comment waits for a moderator before anyone sees it."""
    now = now or timezone.now()
    if (staff is None) == (guide is None):
        raise TransitionError(_("Rate one person or one service."))
    if rating not in Rating.values:
        raise TransitionError(_("Choose a rating."))
    if staff is not None and not (staff.in_public_directory and staff.user.is_active):
        raise TransitionError(_("This person cannot be rated."))
    if guide is not None and not guide.published:
        raise TransitionError(_("This service cannot be rated."))
    comment = comment.strip()[:500]
    with transaction.atomic():
        mine = Evaluation.objects.filter(client=client)
        if mine.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= (
            EVALUATIONS_PER_HOUR
        ):
            raise RateLimited(
                _("You have given many ratings in the last hour. Please try again later.")
            )
        same = mine.filter(created_at__gte=now - dt.timedelta(days=1))
        same = same.filter(staff=staff) if staff is not None else same.filter(guide=guide)
        if same.exists():
            raise RateLimited(
                _("You have already rated this today. Thank you; you may rate it again tomorrow.")
            )
        evaluation = Evaluation.objects.create(
            staff=staff,
            guide=guide,
            section_id=staff.section_id if staff is not None else guide.section_id,
            rating=rating,
            comment=comment,
            comment_state=CommentState.PENDING if comment else CommentState.NONE,
            client=client,
            created_at=now,
        )
        audit_record(action="evaluation.submit", obj=evaluation, to_state=rating, now=now)
    return evaluation


def evaluation_moderate(*, evaluation: Evaluation, by, approve: bool, now=None) -> Evaluation:
    now = now or timezone.now()
    if not by.has_perm("portal.moderate_evaluation"):
        raise PermissionDenied(_("You may not moderate comments."))
    with transaction.atomic():
        obj = (
            Evaluation.objects.moderated_by(by)
            .select_for_update(of=("self",))
            .filter(pk=evaluation.pk)
            .first()
        )
        if obj is None:
            raise PermissionDenied(_("You may not moderate this comment."))
        if obj.comment_state != CommentState.PENDING:
            raise TransitionError(_("This comment has already been moderated."))
        obj.comment_state = CommentState.APPROVED if approve else CommentState.REJECTED
        obj.moderated_by = by
        obj.moderated_at = now
        obj.save(update_fields=["comment_state", "moderated_by", "moderated_at"])
        audit_record(
            action="evaluation.moderate",
            actor=by,
            obj=obj,
            from_state=CommentState.PENDING,
            to_state=obj.comment_state,
            now=now,
        )
    return obj


# --- 首问登记 -------------------------------------------------------------------------------
def inquiry_promise_limit(now: dt.datetime) -> dt.date | None:
    """The latest date a first responder may promise: the `inquiry.promise` rule from today
    (限时办结制: the promised limit must not exceed the one the office publishes), on the one
    working calendar (a provisional year included)."""
    rule = TimeLimitRule.objects.get(code="inquiry.promise")
    due = workcalendar.due_at(rule, now)
    return (due - dt.timedelta(seconds=1)).date()


def inquiry_log(
    *,
    by,
    visitor: str,
    matter: str,
    result: str,
    channel: str = "visit",
    phone: str = "",
    address: str = "",
    guide: ServiceGuide | None = None,
    handler: Staff | None = None,
    forwarded_to: str = "",
    result_note: str = "",
    promised_date: dt.date | None = None,
    materials: list[tuple[str, int]] = (),
    now=None,
) -> Inquiry:
    """Log one inquiry with its result (DOMAIN.md §5.4). The person logging it is the first
    responder. Accepted with a promised date: a work item for the handler, due at the end of
    that date."""
    now = now or timezone.now()
    first = Staff.objects.select_related("section", "unit", "user").filter(user=by).first()
    if first is None:
        raise PermissionDenied(_("Only staff of the office can log inquiries."))
    if result not in InquiryResult.values:
        raise TransitionError(_("Choose how the inquiry ended."))
    if result == InquiryResult.HANDED_OVER and (handler is None or handler.pk == first.pk):
        raise TransitionError(_("Choose the colleague the matter was handed to."))
    if result == InquiryResult.FORWARDED and not forwarded_to.strip():
        raise TransitionError(_("Say which body the person was sent to."))
    promised_at = None
    if result == InquiryResult.ACCEPTED:
        if promised_date is None:
            raise TransitionError(_("Give the date you promised."))
        today = now.astimezone(workcalendar.local_tz()).date()
        limit = inquiry_promise_limit(now)
        if limit is None:
            rule = TimeLimitRule.objects.get(code="inquiry.promise")
            try:
                workcalendar.due_at(rule, now)
            except workcalendar.CalendarNotLoaded as exc:
                raise TransitionError(str(exc)) from exc
        if promised_date < today:
            raise TransitionError(_("The promised date cannot be in the past."))
        if promised_date > limit:
            raise TransitionError(
                _("The promised date may be at most %(date)s (the published time limit).")
                % {"date": f"{limit.year}年{limit.month}月{limit.day}日"}
            )
        promised_at = workcalendar.end_of_day(promised_date)
    handler = handler or first
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            channel=channel,
            visitor=visitor,
            phone=phone,
            address=address,
            matter=matter,
            guide=guide,
            first_responder=first,
            handler=handler,
            result=result,
            forwarded_to=forwarded_to.strip(),
            result_note=result_note,
            promised_at=promised_at,
            received_at=now,
            created_by=by,
        )
        InquiryMaterial.objects.bulk_create(
            [
                InquiryMaterial(inquiry=inquiry, name=name, pages=pages, position=i)
                for i, (name, pages) in enumerate(materials)
            ]
        )
        url = _url("portal_staff:desk_detail", inquiry.pk)
        if result == InquiryResult.ACCEPTED:
            inquiry.work_item = workitem_open(
                title=_("First inquiry: %(who)s — %(matter)s")
                % {"who": visitor, "matter": matter[:60]},
                kind=WorkKind.INQUIRY,
                action=WorkAction.HANDLE,
                actor=by,
                subject=inquiry,
                url=url,
                assignee=handler.user,
                section=handler.section,
                unit=handler.unit if handler.section_id is None else None,
                rule="inquiry.promise",
                due_at=promised_at,
                now=now,
            )
            inquiry.save(update_fields=["work_item"])
        elif result == InquiryResult.HANDED_OVER:
            notify(
                recipients=[handler.user],
                title=_("A visitor's matter was handed to you: %(who)s") % {"who": visitor},
                body=matter[:300],
                url=url,
                now=now,
            )
        audit_record(
            action="inquiry.log",
            actor=by,
            obj=inquiry,
            object_repr=f"首问登记 {inquiry.pk}",  # not the visitor's name
            to_state=result,
            now=now,
        )
    return inquiry


# --- What the public reads ---------------------------------------------------------------
def content_save(*, form, by, now=None):
    """Save a public text or a service guide from its form (the system admin), on the record."""
    now = now or timezone.now()
    model = form._meta.model
    perm = f"portal.{'change' if form.instance.pk else 'add'}_{model._meta.model_name}"
    if not by.has_perm(perm):
        raise PermissionDenied(_("You may not change what the public reads."))
    with transaction.atomic():
        created = form.instance.pk is None
        obj = form.save()
        audit_record(
            action=f"{model._meta.model_name}.{'add' if created else 'change'}",
            actor=by,
            obj=obj,
            changes={"fields": form.changed_data, "published": obj.published},
            now=now,
        )
    return obj
