"""Every state change of a petition (信访事项), one function per transition.

Each one locks the petition row, checks the state against `PetitionState`'s transition table and
the actor's permission, changes the rows, opens/closes work items through the spine, writes ONE
audit entry, and issues the written notice the regulation requires (DOMAIN.md §3.4). The changes
the statistics count (decision, deadlines, reply, rating, assignment to a unit) move the petition's
counts in the monthly pre-aggregates in the same transaction (`stats.apply`). Side effects
outside the database (the SMS with the query code) run after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from office import workcalendar
from office.models import Section, TimeLimitRule, Unit, WorkAction, WorkItem, WorkKind, WorkState
from office.numbers import next_number
from office.outbox import SECRET, queue_sms
from office.services import TransitionError
from office.services.audit import audit_record
from office.services.notify import notify
from office.services.workitems import (
    staff_of,
    workitem_complete,
    workitem_extend,
    workitem_open,
    workitem_pause,
    workitem_resume,
)

from . import crypto, stats
from .models import (
    MAX_AGENTS,
    MAX_REPRESENTATIVES,
    Assignment,
    AssignmentState,
    Attachment,
    Decision,
    DeliveryMethod,
    Notice,
    NoticeKind,
    Outcome,
    Petition,
    Petitioner,
    PetitionerRole,
    PetitionState,
    Review,
    ReviewLevel,
)
from .transitions import TRANSITIONS

NUMBER_PREFIX = "信访"
# The section that runs the petition desk (信访接待): 综合科 in the demo office.
PETITION_SECTION_CODE = getattr(settings, "PETITION_SECTION_CODE", "general")

ALREADY_HANDLED = gettext_lazy("This petition has already been handled by someone else; reload.")


# --- Helpers --------------------------------------------------------------------------------
def _locked(petition: Petition) -> Petition:
    return Petition.objects.select_for_update(of=("self",)).get(pk=petition.pk)


def _require(user, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You may not do this with petitions."))


def _desk() -> Section | None:
    return Section.objects.filter(code=PETITION_SECTION_CODE).first()


def _work(petition: Petition, action: str) -> WorkItem | None:
    from django.contrib.contenttypes.models import ContentType

    return (
        WorkItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Petition),
            object_id=petition.pk,
            action=action,
            state=WorkState.OPEN,
        )
        .order_by("-pk")
        .first()
    )


def _close_work(petition: Petition, action: str, by, outcome: str, now) -> None:
    item = _work(petition, action)
    if item is not None:
        workitem_complete(item=item, by=by, outcome=outcome, authorised=True, now=now)


def _open_work(petition: Petition, *, action: str, rule: str, title: str, by, start, now):
    desk = _desk()
    return workitem_open(
        title=f"{title}：{petition.title}",
        kind=WorkKind.PETITION,
        action=action,
        actor=by,
        subject=petition,
        url=petition.get_absolute_url(),
        section=desk,
        assignee=None if desk else by,
        rule=rule,
        start=start,
        now=now,
    )


def _notice(petition: Petition, kind: str, by, now, **context) -> Notice:
    """The notice's text is fixed at issue: the PDF and any reprint say exactly this."""
    body = render_to_string(
        f"petitions/notices/{kind}.txt",
        {"petition": petition, "office_name": settings.OFFICE_NAME, "now": now, **context},
    ).strip()
    return Notice.objects.create(
        petition=petition, kind=kind, body=body, issued_at=now, issued_by=_person(by)
    )


def _person(user):
    return user if getattr(user, "pk", None) else None


def _number(now: dt.datetime) -> str:
    """The next number of the year's gapless series; runs inside the registering transaction."""
    year = now.astimezone(workcalendar.local_tz()).year
    serial = next_number("petitions", year)
    return f"{NUMBER_PREFIX}〔{year}〕{serial}号"


def can_see(user, petition: Petition) -> bool:
    return Petition.objects.visible_to(user).filter(pk=petition.pk).exists()


# --- Intake ---------------------------------------------------------------------------------
def _check_people(people: list[dict], *, is_group: bool, headcount: int) -> None:
    if not people or not (people[0].get("name") or "").strip():
        raise ValidationError(_("Give the name of at least one petitioner."))
    reps = [p for p in people if p.get("role") == PetitionerRole.REPRESENTATIVE]
    agents = [p for p in people if p.get("role") == PetitionerRole.AGENT]
    if len(reps) > MAX_REPRESENTATIVES:
        raise ValidationError(
            _("A group visit chooses at most %(n)d representatives.") % {"n": MAX_REPRESENTATIVES}
        )
    if len(agents) > MAX_AGENTS:
        raise ValidationError(
            _("At most %(n)d agents may act for a petitioner.") % {"n": MAX_AGENTS}
        )
    if is_group and headcount < 2:
        raise ValidationError(_("A group visit has at least two people; give the headcount."))


@dataclass(frozen=True)
class Intake:
    """What a petition is registered with (the 登记 form's content, any channel); the service
    takes it as one value instead of a score of parameters."""

    channel: str
    category: str
    subject_area: str
    title: str
    request: str
    people: list[dict]
    facts: str = ""
    reasons: str = ""
    location: str = ""
    complained_unit: Unit | None = None
    forwarded_from: str = ""
    forwarded_reference: str = ""
    is_group: bool = False
    headcount: int = 1
    materials: str = ""
    received_at: dt.datetime | None = None
    repeat_of: Petition | None = None
    idempotency_token: str | None = None


def petition_register(
    intake: Intake, *, by, files: Iterable = (), http_request=None, now: dt.datetime | None = None
) -> tuple[Petition, str | None]:
    """Register a petition on any channel; returns it and its query code (None when the same
    online submission arrived twice: the first one's petition is returned, S-19).

    `by=None` is the public online form. Staff who write down a visit or a call become its first
    responder (首问责任人, DOMAIN.md §5.4)."""
    channel, category, subject_area = intake.channel, intake.category, intake.subject_area
    title, request, people = intake.title, intake.request, intake.people
    facts, reasons, location = intake.facts, intake.reasons, intake.location
    complained_unit, is_group, headcount = intake.complained_unit, intake.is_group, intake.headcount
    forwarded_from, forwarded_reference = intake.forwarded_from, intake.forwarded_reference
    materials, received_at, repeat_of = intake.materials, intake.received_at, intake.repeat_of
    idempotency_token = intake.idempotency_token
    now = now or timezone.now()
    received_at = received_at or now
    if by is None:
        if channel != "online":
            raise PermissionDenied(_("You may not do this with petitions."))
    else:
        _require(by, "petitions.register_petition")
    if channel == "forwarded" and not forwarded_from:
        raise ValidationError(_("Say which body forwarded or assigned the item."))
    if received_at > now + dt.timedelta(minutes=5):
        raise ValidationError(_("The time received cannot be in the future."))
    _check_people(people, is_group=is_group, headcount=headcount)
    if idempotency_token:
        existing = Petition.objects.filter(idempotency_token=idempotency_token).first()
        if existing is not None:
            return existing, None
    files = list(files)
    _check_files(files)  # every file before anything is stored: one bad file, nothing saved
    stored: list[str] = []
    code = crypto.new_query_code()
    try:
        with transaction.atomic():
            petition = Petition.objects.create(
                number=_number(now),
                channel=channel,
                forwarded_from=forwarded_from if channel == "forwarded" else "",
                forwarded_reference=forwarded_reference if channel == "forwarded" else "",
                category=category,
                subject_area=subject_area,
                title=title.strip(),
                request=request.strip(),
                facts=facts.strip(),
                reasons=reasons.strip(),
                location=location.strip(),
                complained_unit=complained_unit,
                is_group=is_group,
                headcount=headcount if is_group else max(1, len(people)),
                materials=materials.strip(),
                received_at=received_at,
                registered_at=now,
                registered_by=_person(by),
                first_responder=_person(by) if channel in ("visit", "phone") else None,
                query_code_hash=crypto.keyed_hash("code", code),
                query_code_enc=crypto.encrypt(code),
                idempotency_token=idempotency_token or None,
                repeat_of=repeat_of,
            )
            for order, person in enumerate(people):
                p = Petitioner(
                    petition=petition,
                    role=person.get("role") or PetitionerRole.PETITIONER,
                    order=order,
                    name=person["name"].strip()[:50],
                )
                p.set_personal(
                    id_number=person.get("id_number", ""),
                    phone=person.get("phone", ""),
                    address=person.get("address", ""),
                )
                p.save()
            for upload in files:
                stored.append(_attach(petition, upload, by, now).file.name)
            item = _open_work(
                petition,
                action=WorkAction.SCREEN,
                rule="petition.accept",
                title=_("Decide on acceptance"),
                by=by,
                start=received_at,
                now=now,
            )
            petition.due_at = petition.accept_due_at = item.due_at
            petition.save(update_fields=["due_at", "accept_due_at"])
            stats.apply({}, stats.contribution(petition, new=True))
            _notice(petition, NoticeKind.ACKNOWLEDGEMENT, by, now, code=code)
            audit_record(
                action="petition.register",
                actor=by,
                obj=petition,
                to_state=PetitionState.REGISTERED,
                changes={
                    "channel": channel,
                    "people": len(people),
                    "repeat_of": repeat_of.pk if repeat_of else None,
                },
                request=http_request,
                now=now,
            )
            phone = next((p.get("phone") for p in people if p.get("phone")), "")
            if phone:
                # Through the outbox, after commit: a gateway that is down cannot undo or fail
                # the registration (office.outbox); the code is filled in at delivery (S-18).
                text = _("Your petition %(n)s is registered. Query code: %(c)s") % {
                    "n": petition.number,
                    "c": SECRET,
                }
                queue_sms(
                    crypto.normalise("phone", phone),
                    text,
                    secret_ref=f"petitions.query_code:{petition.pk}",
                    now=now,
                )
    except BaseException as exc:
        _discard(stored)  # the rows rolled back: their files go too
        if not isinstance(exc, IntegrityError):
            raise
        # The same online submission committed meanwhile in a concurrent request.
        if idempotency_token:
            existing = Petition.objects.filter(idempotency_token=idempotency_token).first()
            if existing is not None:
                return existing, None
        raise
    return petition, code


def query_code_secret(pk: str) -> tuple[str, tuple[str, ...]]:
    """The query code for the outbox (office.outbox): shown as 1234-5678; the backend is told
    both forms are secret, so no log carries them (S-18)."""
    code = Petition.objects.get(pk=int(pk)).query_code
    shown = crypto.format_query_code(code)
    return shown, (shown, code)


def _check_files(files: list) -> None:
    from office.files import check_upload

    for upload in files:
        check_upload(upload)


def _discard(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _attach(petition: Petition, upload, by, now) -> Attachment:
    from office.files import check_upload, store_checked

    info = check_upload(upload)
    attachment = Attachment(petition=petition, uploaded_by=_person(by), uploaded_at=now)
    store_checked(attachment, upload, info)
    return attachment


# --- Repeat detection (重复信访) -----------------------------------------------------------
def content_tokens(title: str, request: str = "") -> set[str]:
    """The tokens content is compared by: bigrams of Chinese runs, whole Latin/digit runs —
    `office.search.tokens`, the same as the SQL function petition_content_tokens (0004)."""
    from office.search import tokens

    return set(tokens(f"{title} {request}"))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the content tokens: 1.0 the same text, 0 nothing shared."""
    x, y = content_tokens(a), content_tokens(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


SIMILAR_AT = 0.5
SIMILAR_TOKENS = 24  # the query's tokens used to find candidates (the first ones of the text)
SIMILAR_WINDOW = 1000  # PostgreSQL: the newest candidates compared exactly (in SQL)
SQLITE_WINDOW = 300  # SQLite: compared here


def _candidate_pairs(words: list[str]) -> list[tuple[str, ...]]:
    """Token pairs of which a petition similar enough must contain at least one.

    A Dice coefficient ≥ 0.5 needs at least ⌈n/3⌉ = k of the query's n tokens. Spread the n
    tokens over k − 1 groups (round robin): by pigeonhole one group then holds two of the shared
    tokens, so some pair inside a group is in the petition. Two far-apart tokens together are
    much rarer than either alone, which keeps the candidates few. With k ≤ 1, single tokens."""
    n = len(words)
    k = -(-n // 3)
    if k <= 1:
        return [(w,) for w in words]
    groups = [words[i :: k - 1] for i in range(k - 1)]
    return [(g[i], g[j]) for g in groups for i in range(len(g)) for j in range(i + 1, len(g))]


_SIMILAR_SQL = """
SELECT c.id FROM (
    SELECT id, received_at, content_tokens FROM petitions_petition
    WHERE content_tokens @@ to_tsquery('simple', %s){exclude}
    ORDER BY received_at DESC, id DESC LIMIT %s
) c
WHERE 2.0 * (SELECT count(*) FROM unnest(tsvector_to_array(c.content_tokens)) AS t(token)
             WHERE t.token = ANY(%s)) / (%s + length(c.content_tokens)) >= %s
ORDER BY c.received_at DESC, c.id DESC LIMIT %s
"""


def _similar(wanted: set[str], words: list[str], exclude: int | None, limit: int) -> list:
    """The newest petitions, across all of them, whose Dice coefficient with `wanted` is at
    least SIMILAR_AT.

    Candidates are the petitions holding one of the candidate pairs, newest first, at most
    SIMILAR_WINDOW of them. On PostgreSQL they come through the GIN index on the generated
    column content_tokens (migration 0004) and the coefficient is computed in SQL on the stored
    tokens, so only the matches leave the database. On SQLite (the embedded default, small) the
    same condition is a substring match and the coefficient is computed here."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    pairs = _candidate_pairs(words)
    if not pairs:
        return []
    fields = ("pk", "number", "title", "request", "state", "received_at")
    if connection.vendor == "postgresql":
        # tokens are CJK characters, ASCII letters and digits only: nothing to escape
        tsquery = " | ".join("(" + " & ".join(f"'{w}'" for w in pair) + ")" for pair in pairs)
        params: list = [tsquery]
        if exclude is not None:
            params.append(exclude)
        params += [SIMILAR_WINDOW, sorted(wanted), len(wanted), SIMILAR_AT, limit]
        sql = _SIMILAR_SQL.format(exclude=" AND id <> %s" if exclude is not None else "")
        return list(
            Petition.objects.filter(pk__in=RawSQL(sql, params))
            .order_by("-received_at", "-pk")
            .only(*fields)
        )
    q = Q(pk__in=[])
    for pair in pairs:
        both = Q()
        for w in pair:
            both &= Q(title__icontains=w) | Q(request__icontains=w)
        q |= both
    candidates = (
        Petition.objects.filter(q)
        .exclude(pk=exclude)
        .order_by("-received_at", "-pk")
        .only(*fields)[:SQLITE_WINDOW]
    )
    found = []
    for p in candidates:
        theirs = content_tokens(p.title, p.request)
        if 2 * len(wanted & theirs) / (len(wanted) + len(theirs)) >= SIMILAR_AT:
            found.append(p)
    return found[:limit]


def find_repeats(
    *,
    id_numbers: Iterable[str] = (),
    phones: Iterable[str] = (),
    subject_area: str = "",
    text: str = "",
    exclude: int | None = None,
    limit: int = 10,
) -> list[tuple[Petition, str]]:
    """Earlier petitions from the same person (ID number or phone, through the keyed hashes) or
    with very similar content (Dice ≥ SIMILAR_AT over the content tokens) in any subject area —
    `subject_area` is kept for the callers; a repeat filed under another area is still found.
    Each with why it matched."""
    id_hashes = [h for h in (crypto.keyed_hash("id", v) for v in id_numbers) if h]
    phone_hashes = [h for h in (crypto.keyed_hash("phone", v) for v in phones) if h]
    found: dict[int, tuple[Petition, str]] = {}
    if id_hashes or phone_hashes:
        q = Q(pk__in=[])
        if id_hashes:
            q |= Q(id_number_hash__in=id_hashes)
        if phone_hashes:
            q |= Q(phone_hash__in=phone_hashes)
        same_person = (
            Petition.objects.filter(pk__in=Petitioner.objects.filter(q).values("petition_id"))
            .exclude(pk=exclude)
            .order_by("-received_at", "-pk")[:limit]
        )
        for p in same_person:
            found[p.pk] = (p, str(_("same person")))
    wanted = content_tokens(text)
    if wanted:
        from office.search import tokens

        words = list(dict.fromkeys(tokens(text)))[:SIMILAR_TOKENS]
        for p in _similar(wanted, words, exclude, limit + len(found)):
            found.setdefault(p.pk, (p, str(_("similar content"))))
    rows = sorted(found.values(), key=lambda r: (r[0].received_at, r[0].pk), reverse=True)
    return rows[:limit]


def is_closed_after_re_review(rows: list[tuple[Petition, str]]) -> bool:
    """A petition past 复核 on the same facts is not accepted again (不再受理)."""
    return any(p.state == PetitionState.RE_REVIEWED for p, _why in rows)


# --- Privacy (S-17) --------------------------------------------------------------------------
def petitioner_reveal(*, petitioner: Petitioner, by, purpose: str, http_request=None, now=None):
    """The full ID number, phone and address, for a stated purpose; one audit entry each time."""
    now = now or timezone.now()
    _require(by, "petitions.reveal_petitioner")
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ValidationError(_("State the purpose of revealing the personal data."))
    audit_record(
        action="petition.reveal",
        actor=by,
        obj=petitioner.petition,
        comment=purpose,
        changes={"petitioner": petitioner.pk, "fields": ["id_number", "phone", "address"]},
        request=http_request,
        now=now,
    )
    return {
        "id_number": petitioner.id_number,
        "phone": petitioner.phone,
        "address": petitioner.address,
    }


def identity_visible(user, petition: Petition, assignment: Assignment | None = None) -> bool:
    """May this person see who the petitioners are (their names)? The petition office always;
    a unit only when the officer decided to pass the identity on (never the complained-about unit)."""
    if user.has_perm("petitions.view_all_petitions"):
        return True
    if petition.registered_by_id == user.pk or petition.first_responder_id == user.pk:
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    if petition.complained_unit_id and staff.unit_id == petition.complained_unit_id:
        return False
    return petition.assignments.filter(
        Q(unit_id=staff.unit_id) | Q(section_id=staff.section_id), identity_shared=True
    ).exists()


def _share_identity(petition: Petition, unit: Unit | None, wanted: bool) -> bool:
    if unit is not None and petition.complained_unit_id == unit.pk and wanted:
        raise ValidationError(
            _(
                "The complainant's identity is never passed to the unit the petition complains about."
            )
        )
    return bool(wanted)


# --- Acceptance decision (15 days) -------------------------------------------------------------
def petition_decide(
    *,
    petition: Petition,
    by,
    decision: str,
    reason: str = "",
    statutory_channel: str = "",
    unit: Unit | None = None,
    share_identity: bool = False,
    instructions: str = "",
    http_request=None,
    now=None,
) -> Petition:
    """受理 / 交办 (accept and assign to a unit) / 不予受理 (with the statutory channel) /
    不再受理 / 转送. Each decision issues its 告知书."""
    now = now or timezone.now()
    TRANSITIONS.require(by, "decide")
    if decision not in Decision.values:
        raise ValidationError(_("Choose a decision."))
    if decision == Decision.REJECT and not statutory_channel:
        raise ValidationError(_("Name the statutory channel the petitioner should use."))
    if (
        decision in (Decision.REJECT, Decision.NOT_REACCEPT, Decision.TRANSFER)
        and not reason.strip()
    ):
        raise ValidationError(_("Give the reason for the decision."))
    if decision in (Decision.TRANSFER, Decision.ASSIGN) and unit is None:
        raise ValidationError(_("Choose the unit the petition goes to."))
    with TRANSITIONS.locked(petition, "decide") as petition:
        shared = _share_identity(petition, unit, share_identity)
        counted = stats.contribution(petition)
        before = petition.state
        petition.decision = decision
        petition.decision_reason = reason.strip()
        petition.statutory_channel = statutory_channel if decision == Decision.REJECT else ""
        petition.decided_at = now
        petition.decided_by = by
        _close_work(petition, WorkAction.SCREEN, by, petition.get_decision_display(), now)
        kind = {
            Decision.ACCEPT: NoticeKind.ACCEPT,
            Decision.ASSIGN: NoticeKind.ASSIGN,
            Decision.REJECT: NoticeKind.REJECT,
            Decision.NOT_REACCEPT: NoticeKind.NOT_REACCEPT,
            Decision.TRANSFER: NoticeKind.TRANSFER,
        }[decision]
        if decision in (Decision.ACCEPT, Decision.ASSIGN):
            petition.state = PetitionState.ACCEPTED
            petition.accepted_at = now
            item = _open_work(
                petition,
                action=WorkAction.REPLY,
                rule="petition.handle",
                title=_("Handle and reply"),
                by=by,
                start=now,
                now=now,
            )
            petition.due_at = petition.handle_due_at = item.due_at
        elif decision == Decision.TRANSFER:
            petition.state = PetitionState.TRANSFERRED
            petition.transferred_to = unit
            petition.identity_shared = shared
            petition.due_at = None
        else:
            petition.state = (
                PetitionState.REJECTED
                if decision == Decision.REJECT
                else PetitionState.NOT_REACCEPTED
            )
            petition.due_at = None
        petition.save()
        if decision == Decision.ASSIGN:
            _assign(
                petition,
                by,
                unit=unit,
                section=None,
                shared=shared,
                instructions=instructions,
                now=now,
            )
        stats.apply(counted, stats.contribution(petition))
        _notice(petition, kind, by, now, unit=unit)
        audit_record(
            action="petition.decide",
            actor=by,
            obj=petition,
            from_state=before,
            to_state=petition.state,
            comment=reason,
            changes={
                "decision": decision,
                "unit": unit.pk if unit else None,
                "identity_shared": shared,
                "statutory_channel": petition.statutory_channel,
            },
            request=http_request,
            now=now,
        )
    return petition


def _assign(petition, by, *, unit, section, shared, instructions, now) -> Assignment:
    handle = _work(petition, WorkAction.REPLY)
    item = workitem_open(
        title=_("Petition to handle and report on: %(t)s") % {"t": petition.title},
        kind=WorkKind.PETITION,
        action=WorkAction.REPORT,
        actor=by,
        subject=petition,
        url=petition.get_absolute_url(),
        unit=unit,
        section=section,
        due_at=handle.due_at if handle else None,
        now=now,
    )
    return Assignment.objects.create(
        petition=petition,
        unit=unit,
        section=section,
        identity_shared=shared,
        instructions=instructions.strip(),
        work_item=item,
        created_at=now,
    )


def petition_assign(
    *,
    petition: Petition,
    by,
    unit: Unit | None = None,
    section: Section | None = None,
    share_identity: bool = False,
    instructions: str = "",
    http_request=None,
    now=None,
) -> Assignment:
    """交办 an accepted petition to a further unit or section, with a completion report due."""
    now = now or timezone.now()
    TRANSITIONS.require(by, "assign")
    if (unit is None) == (section is None):
        raise ValidationError(_("Choose the unit the petition goes to."))
    with TRANSITIONS.locked(petition, "assign") as petition:
        shared = _share_identity(petition, unit, share_identity)
        counted = stats.contribution(petition)
        assignment = _assign(
            petition,
            by,
            unit=unit,
            section=section,
            shared=shared,
            instructions=instructions,
            now=now,
        )
        stats.apply(counted, stats.contribution(petition))
        audit_record(
            action="petition.assign",
            actor=by,
            obj=petition,
            changes={
                "unit": unit.pk if unit else None,
                "section": section.pk if section else None,
                "identity_shared": shared,
            },
            request=http_request,
            now=now,
        )
    return assignment


def can_report(user, assignment: Assignment) -> bool:
    if user.has_perm("petitions.decide_petition"):
        return True  # the desk records a report that came in on paper
    staff = staff_of(user)
    if staff is None:
        return False
    return (assignment.unit_id and staff.unit_id == assignment.unit_id) or (
        assignment.section_id and staff.section_id == assignment.section_id
    )


def assignment_report(*, assignment: Assignment, by, report: str, http_request=None, now=None):
    """The assigned unit reports back (办结报告)."""
    now = now or timezone.now()
    if not report.strip():
        raise ValidationError(_("Write the report."))
    with transaction.atomic():
        petition = _locked(assignment.petition)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.state != AssignmentState.OPEN or petition.state != PetitionState.ACCEPTED:
            raise TransitionError(str(ALREADY_HANDLED))
        if not can_report(by, assignment):
            raise PermissionDenied(_("Only the unit this petition was assigned to may report."))
        assignment.state = AssignmentState.REPORTED
        assignment.report = report.strip()
        assignment.reported_at = now
        assignment.reported_by = by
        assignment.save()
        workitem_complete(
            item=assignment.work_item, by=by, outcome=report[:500], authorised=True, now=now
        )
        audit_record(
            action="petition.report",
            actor=by,
            obj=petition,
            comment=report,
            changes={"assignment": assignment.pk},
            request=http_request,
            now=now,
        )
        desk = _desk()
        if desk is not None and desk.head_id:
            notify(
                recipients=[desk.head.user, petition.decided_by],
                title=_("A unit reported on petition %(n)s") % {"n": petition.number},
                url=petition.get_absolute_url(),
                now=now,
            )
    return assignment


# --- Handling: extension and reply (60 + ≤ 30 days) ---------------------------------------------
def petition_extend(*, petition: Petition, by, days: int, reason: str, http_request=None, now=None):
    """One extension of at most 30 days, approved by the head (a city leader), with a notice to
    the petitioner stating why (延长办理期限告知书)."""
    now = now or timezone.now()
    if not TRANSITIONS.may_take(by, "extend"):
        raise PermissionDenied(_("Only the head of the office may approve an extension."))
    if not reason.strip():
        raise ValidationError(_("Say why the deadline is extended."))
    with TRANSITIONS.locked(petition, "extend") as petition:
        if petition.extended:
            raise TransitionError(_("The handling time of a petition may be extended only once."))
        item = _work(petition, WorkAction.REPLY)
        if item is None:
            raise TransitionError(str(ALREADY_HANDLED))
        counted = stats.contribution(petition)
        old_due = item.due_at
        item = workitem_extend(item=item, by=by, amount=days, reason=reason, now=now)
        petition.extended = True
        petition.due_at = petition.handle_due_at = item.due_at
        petition.save(update_fields=["extended", "due_at", "handle_due_at", "updated_at"])
        stats.apply(counted, stats.contribution(petition))
        _notice(petition, NoticeKind.EXTENSION, by, now, days=days, reason=reason.strip())
        audit_record(
            action="petition.extend",
            actor=by,
            obj=petition,
            comment=reason,
            changes={"days": days, "due_at": [old_due.isoformat(), item.due_at.isoformat()]},
            request=http_request,
            now=now,
        )
    return petition


def petition_reply(
    *,
    petition: Petition,
    by,
    outcome: str,
    reply_text: str,
    basis: str,
    http_request=None,
    now=None,
) -> Petition:
    """处理意见书 under the office's name: 予以支持 / 解释说明 / 不予支持, the basis, and how to apply
    for 复查 within 30 days. Every assigned unit must have reported first."""
    now = now or timezone.now()
    TRANSITIONS.require(by, "reply")
    if outcome not in Outcome.values:
        raise ValidationError(_("Choose the outcome."))
    if not reply_text.strip() or not basis.strip():
        raise ValidationError(_("Write the answer and its legal and policy basis."))
    with TRANSITIONS.locked(petition, "reply") as petition:
        if petition.assignments.filter(state=AssignmentState.OPEN).exists():
            raise TransitionError(_("A unit has not reported back yet."))
        counted = stats.contribution(petition)
        petition.state = PetitionState.REPLIED
        petition.outcome = outcome
        petition.reply_text = reply_text.strip()
        petition.reply_basis = basis.strip()
        petition.replied_at = now
        petition.replied_by = by
        petition.due_at = None
        petition.save()
        stats.apply(counted, stats.contribution(petition))
        _close_work(petition, WorkAction.REPLY, by, petition.get_outcome_display(), now)
        review_rule = TimeLimitRule.objects.get(code="petition.review")
        _notice(
            petition,
            NoticeKind.REPLY,
            by,
            now,
            review_until=workcalendar.due_at(review_rule, now),
        )
        audit_record(
            action="petition.reply",
            actor=by,
            obj=petition,
            from_state=PetitionState.ACCEPTED,
            to_state=PetitionState.REPLIED,
            changes={"outcome": outcome},
            request=http_request,
            now=now,
        )
    return petition


def notice_deliver(
    *,
    notice: Notice,
    by,
    method: str,
    delivered_at=None,
    note: str = "",
    http_request=None,
    now=None,
) -> Notice:
    """Record when and how a notice reached the petitioner (送达)."""
    now = now or timezone.now()
    _require(by, "petitions.decide_petition")
    if method not in DeliveryMethod.values:
        raise ValidationError(_("Choose how the notice was delivered."))
    delivered_at = delivered_at or now
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("petition").get(pk=notice.pk)
        if notice.delivered_at is not None:
            raise TransitionError(_("This notice's delivery is already recorded."))
        if delivered_at < notice.issued_at or delivered_at > now + dt.timedelta(minutes=5):
            raise ValidationError(_("The delivery time must be after the notice was issued."))
        notice.delivery_method = method
        notice.delivered_at = delivered_at
        notice.delivery_note = note.strip()[:200]
        notice.save()
        audit_record(
            action="petition.notice_delivered",
            actor=by,
            obj=notice.petition,
            changes={"notice": notice.pk, "kind": notice.kind, "method": method},
            request=http_request,
            now=now,
        )
    return notice


# --- Satisfaction -----------------------------------------------------------------------------
RATEABLE = (PetitionState.REPLIED, PetitionState.REVIEWED, PetitionState.RE_REVIEWED)


def petition_rate(*, petition: Petition, rating: str, by=None, http_request=None, now=None):
    """The petitioner's rating, online (by=None, after the code check) or taken by phone."""
    now = now or timezone.now()
    if by is not None:
        _require(by, "petitions.decide_petition")
    if rating not in settings.PETITION_RATINGS:
        raise ValidationError(_("Choose one of the ratings offered."))
    with transaction.atomic():
        petition = _locked(petition)
        if petition.state not in RATEABLE:
            raise TransitionError(_("This petition cannot be rated yet."))
        if petition.rated_at is not None:
            raise TransitionError(_("This petition has already been rated."))
        counted = stats.contribution(petition)
        petition.rating = rating
        petition.rated_at = now
        petition.rated_by_phone = by is not None
        petition.save(update_fields=["rating", "rated_at", "rated_by_phone", "updated_at"])
        stats.apply(counted, stats.contribution(petition))
        audit_record(
            action="petition.rate",
            actor=by,
            obj=petition,
            changes={"rating": rating, "by_phone": by is not None},
            request=http_request,
            now=now,
        )
    return petition


def lookup(code: str, last4: str) -> Petition | None:
    """The petition for this query code if the phone's last four digits match; None otherwise —
    the caller cannot tell which of the two failed (S-18)."""
    code = crypto.normalise_query_code(code)
    last4 = crypto.normalise("phone", last4)
    if len(code) != crypto.QUERY_LENGTH or len(last4) != 4:
        return None
    petition = Petition.objects.filter(query_code_hash=crypto.keyed_hash("code", code)).first()
    phones = [p.phone for p in petition.petitioners.all()] if petition is not None else [""]
    ok = False
    for phone in phones:  # always compare, so a miss costs the same as a wrong digit
        ok |= crypto.same((phone or "????")[-4:].rjust(4, "?"), last4)
    return petition if petition is not None and ok else None


# --- Review chain: 复查 and 复核 (30 + 30 days) -------------------------------------------------
def review_apply(
    *, petition: Petition, by, reasons: str, applied_at=None, http_request=None, now=None
):
    """The petitioner applies for 复查 (after the reply) or 复核 (after the 复查), within 30 days
    of the written answer; the deciding body has 30 days (复核: hearings do not count)."""
    now = now or timezone.now()
    applied_at = applied_at or now
    TRANSITIONS.require(by, "review_apply")
    if not reasons.strip():
        raise ValidationError(_("Write the petitioner's reasons for the review."))
    with TRANSITIONS.locked(petition, "review_apply") as petition:
        if petition.state == PetitionState.REPLIED:
            level, rule, answered_at = ReviewLevel.REVIEW, "petition.review", petition.replied_at
            new_state = PetitionState.REVIEW
        else:
            level, rule, answered_at = (
                ReviewLevel.RE_REVIEW,
                "petition.re_review",
                petition.reviews.get(level=ReviewLevel.REVIEW).decided_at,
            )
            new_state = PetitionState.RE_REVIEW
        window = workcalendar.due_at(TimeLimitRule.objects.get(code=rule), answered_at)
        if applied_at > window:
            raise ValidationError(
                _("The application came after the 30-day window (it ended %(d)s).")
                % {"d": _date(window)}
            )
        item = _open_work(
            petition,
            action=WorkAction.REVIEW,
            rule=rule,
            title=str(ReviewLevel(level).label),
            by=by,
            start=applied_at,
            now=now,
        )
        review = Review.objects.create(
            petition=petition,
            level=level,
            applied_at=applied_at,
            reasons=reasons.strip(),
            work_item=item,
        )
        before = petition.state
        petition.state = new_state
        petition.due_at = item.due_at
        petition.save(update_fields=["state", "due_at", "updated_at"])
        audit_record(
            action="petition.review_apply",
            actor=by,
            obj=petition,
            from_state=before,
            to_state=new_state,
            changes={"level": level},
            request=http_request,
            now=now,
        )
    return review


def _date(moment: dt.datetime) -> str:
    last = (moment.astimezone(workcalendar.local_tz()) - dt.timedelta(microseconds=1)).date()
    return f"{last.year}年{last.month}月{last.day}日"


def review_hearing(*, review: Review, by, start: bool, reason: str = "", now=None) -> Review:
    """A hearing (听证) in 复核 stops the clock; its end restarts it with the time added."""
    now = now or timezone.now()
    TRANSITIONS.require(by, "review_hearing")
    if review.level != ReviewLevel.RE_REVIEW:
        raise TransitionError(_("Only a 复核 may hold a hearing that stops the clock."))
    with TRANSITIONS.locked(review.petition, "review_hearing") as petition:
        if start:
            workitem_pause(item=review.work_item, by=by, reason=reason or "听证", now=now)
        else:
            item = workitem_resume(item=review.work_item, by=by, now=now)
            petition.due_at = item.due_at
            petition.save(update_fields=["due_at", "updated_at"])
    return review


def review_decide(
    *, review: Review, by, outcome: str, text: str, http_request=None, now=None
) -> Review:
    now = now or timezone.now()
    TRANSITIONS.require(by, "review_decide")
    if outcome not in Outcome.values or not text.strip():
        raise ValidationError(_("Choose the outcome and write the decision."))
    with TRANSITIONS.locked(review.petition, "review_decide") as petition:
        review = Review.objects.select_for_update().get(pk=review.pk)
        expected = (
            PetitionState.REVIEW if review.level == ReviewLevel.REVIEW else PetitionState.RE_REVIEW
        )
        if review.decided_at is not None or petition.state != expected:
            raise TransitionError(str(ALREADY_HANDLED))
        if review.work_item.paused_at is not None:
            raise TransitionError(_("End the hearing first."))
        review.outcome = outcome
        review.decision_text = text.strip()
        review.decided_at = now
        review.decided_by = by
        review.save()
        workitem_complete(
            item=review.work_item, by=by, outcome=text[:500], authorised=True, now=now
        )
        before = petition.state
        petition.state = (
            PetitionState.REVIEWED
            if review.level == ReviewLevel.REVIEW
            else PetitionState.RE_REVIEWED
        )
        petition.due_at = None
        petition.save(update_fields=["state", "due_at", "updated_at"])
        rule = TimeLimitRule.objects.get(code="petition.re_review")
        _notice(
            petition,
            NoticeKind.REVIEW if review.level == ReviewLevel.REVIEW else NoticeKind.RE_REVIEW,
            by,
            now,
            review=review,
            review_until=workcalendar.due_at(rule, now),
        )
        audit_record(
            action="petition.review_decide",
            actor=by,
            obj=petition,
            from_state=before,
            to_state=petition.state,
            changes={"level": review.level, "outcome": outcome},
            request=http_request,
            now=now,
        )
    return review
