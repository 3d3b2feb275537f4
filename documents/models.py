"""Incoming documents (收文) and their handling record.

The flow follows 党政机关公文处理工作条例 第二十四条 (DOMAIN.md §1.4): 签收/登记 → 初审 (accept or
return with reasons) → 拟办 + 呈批 (or 传阅) → 批示 → 承办 (主办/协办, with a deadline) → 办结 →
立卷/归档. Every transition is a function in `documents.services`; nothing else assigns `state`.

Who may see a document is one table, `IncomingAccess`: a row per person, section or unit the
document was routed to (the registrar, the leaders it was presented to, the readers, the handling
sections). A restricted (受控) document counts only rows that name a person: its named audience
(知悉范围). The table is copied onto the document as `grantees` (a key per person, section and
unit it opens the document to), kept in step by `documents.services` in the transaction that
grants; "which documents may this user see" (`visible_to`) is one test on that column, used by
every list, search, count, export, download and PDF — on PostgreSQL through a GIN index, so a
section's register and search need no join over millions of access rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, F, Func, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.classification import classification_constraint, classification_field
from office.models import Section, Unit, Urgency, WorkItem


class DocType(models.TextChoices):
    """The 15 document types of 第八条 (DOMAIN.md §1.1). 会议纪要 is accepted as input for 纪要."""

    RESOLUTION = "resolution", "决议"
    DECISION = "decision", "决定"
    ORDER = "order", "命令（令）"
    COMMUNIQUE = "communique", "公报"
    ANNOUNCEMENT = "announcement", "公告"
    PUBLIC_NOTICE = "public_notice", "通告"
    OPINION = "opinion", "意见"
    NOTICE = "notice", "通知"
    BULLETIN = "bulletin", "通报"
    REPORT = "report", "报告"
    REQUEST = "request", "请示"
    REPLY = "reply", "批复"
    MOTION = "motion", "议案"
    LETTER = "letter", "函"
    MINUTES = "minutes", "纪要"


class Marking(models.TextChoices):
    """公开属性. 秘密/机密/绝密 are not choices: this is a non-classified system (S-15b)."""

    PUBLIC = "public", _("public")
    INTERNAL = "internal", _("internal")
    RESTRICTED = "restricted", _("restricted")


# Words that mark state secrets (保密法 第十三条): refused at registration with a pointer to the
# confidential (机要) channel.
CLASSIFIED_MARKS = ("绝密", "机密", "秘密")


class IncomingState(models.TextChoices):
    """States and the transitions `documents.services` allows:

    registered → accepted (初审 受理) | returned (退文, final)
    accepted → presented (呈批) | circulating (传阅)
    presented → presented (转呈 to another leader) | handling (批示 assigns 主办/协办)
              | circulating (批示 circulates) | handled (阅知)
    circulating → handled (everyone has read it)
    handling → handled (every 承办 assignment completed)
    handled → completed (秘书科 confirms 办结)
    completed → archived (档案员 files it; read-only from then on)
    """

    REGISTERED = "registered", pgettext_lazy("incoming state", "registered")
    RETURNED = "returned", _("returned to sender")
    ACCEPTED = "accepted", pgettext_lazy("incoming state", "accepted")
    PRESENTED = "presented", _("awaiting instruction")
    CIRCULATING = "circulating", _("circulating")
    HANDLING = "handling", _("being handled")
    HANDLED = "handled", _("awaiting confirmation")
    COMPLETED = "completed", pgettext_lazy("incoming state", "completed")
    ARCHIVED = "archived", _("archived")


OPEN_STATES = (
    IncomingState.REGISTERED,
    IncomingState.ACCEPTED,
    IncomingState.PRESENTED,
    IncomingState.CIRCULATING,
    IncomingState.HANDLING,
    IncomingState.HANDLED,
)


class Retention(models.TextChoices):
    """保管期限 (国家档案局令第8号): permanent, or fixed 30 / 10 years."""

    PERMANENT = "permanent", _("permanent")
    YEARS_30 = "30y", _("30 years")
    YEARS_10 = "10y", _("10 years")


def person_key(user_id: int) -> str:
    return f"p{user_id}"


def section_key(section_id: int) -> str:
    return f"s{section_id}"


def unit_key(unit_id: int) -> str:
    return f"u{unit_id}"


def grantee_keys(marking: str, grants) -> str:
    """The `grantees` of a document from its IncomingAccess rows as (user_id, section_id,
    unit_id) triples: every person, and — unless the document is restricted — every section
    and unit; sorted, each once, space-separated. A section's or unit's grant never opens a
    restricted document: only its named audience may read it (知悉范围; ARCHITECTURE.md, "Who
    may see what"). Whatever adds or removes an access row calls services.sync_grantees in the
    same transaction (S-16: a revoked grant ends on the next request)."""
    keys = set()
    for user_id, section_id, unit_id in grants:
        if user_id is not None:
            keys.add(person_key(user_id))
        elif marking == Marking.RESTRICTED:
            continue
        elif section_id is not None:
            keys.add(section_key(section_id))
        elif unit_id is not None:
            keys.add(unit_key(unit_id))
    return " ".join(sorted(keys))


class RoutedTo(Func):
    """True where the document's `grantees` hold any of `keys`. On PostgreSQL this is the
    expression of the GIN index `incoming_find_gin` (migration 0005, beside the search tokens),
    so it must stay spelled exactly so; elsewhere (SQLite, the embedded default) a LIKE per key
    on the space-padded list."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, keys):
        super().__init__(F("grantees"))
        self.keys = list(keys)

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"string_to_array({column}, ' ') && %s::text[]", (*params, self.keys)
        tests = " OR ".join(f"(' ' || {column} || ' ') LIKE %s" for _ in self.keys)
        return f"({tests})", (*params, *(f"% {key} %" for key in self.keys))


class IncomingQuerySet(models.QuerySet):
    def visible_to(self, user) -> IncomingQuerySet:
        """The documents `user` may see, as ONE condition on `grantees` (S-11): the person's own
        key, their section's and their unit's. The secretariat (view_all) sees every document
        that is not restricted, and a restricted one only if it names them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        from office.services.workitems import staff_of

        mine = [person_key(user.pk)]
        if user.has_perm("documents.view_all_incoming"):
            return self.filter(~Q(marking=Marking.RESTRICTED) | RoutedTo(mine))
        staff = staff_of(user)
        keys = list(mine)
        if staff is not None and staff.section_id:
            keys.append(section_key(staff.section_id))
        if staff is not None and staff.unit_id:
            keys.append(unit_key(staff.unit_id))
        return self.filter(RoutedTo(keys))

    def visible_to_grants_first(self, user) -> IncomingQuerySet:
        """`visible_to`, and for a person whose grants are few, driven by those grants.

        A list ordered by time walks the received-at index and keeps the rows `grantees`
        opens to the person: cheap for the secretariat, who sees nearly every row, but a
        person who sees 1 % of the documents walks 100 entries per row kept, and the register's
        capped count walks the whole index (the 行政科 clerk: 42 ms at 100,000 documents; a
        single reader more). Reading their IncomingAccess rows first (index on user, section,
        unit) bounds the work by what the person may see. It pays where the grants are fewer
        than the entries the walk reads, each grant weighed as a random page: √(10,001 ×
        documents) / 20, 5,000 at 1,000,000 documents (`grants_first_limit`). `grantees` stays the test of what may be seen
        (RoutedTo: a section's grant never opens a restricted document); the access rows only
        choose where to start. The grant count is probed once per person (capped, index-only)
        and cached for ten minutes: it chooses a plan, never a result. PostgreSQL only."""
        visible = self.visible_to(user)
        from django.db import connection

        if connection.vendor != "postgresql" or user.has_perm("documents.view_all_incoming"):
            return visible
        grants = IncomingAccess.objects.granted_to(user)
        if _grant_count(user, grants) > grants_first_limit():
            return visible
        return visible.filter(pk__in=grants.values("document_id"))

    def awaiting(self, leader) -> IncomingQuerySet:
        """The approval queue: presented to this leader, 特急 first, then the longest waiting."""
        return (
            self.filter(state=IncomingState.PRESENTED, presented_to=leader)
            .select_related("sender", "registered_by")
            .order_by("-priority", "presented_at", "pk")
        )

    def for_list(self) -> IncomingQuerySet:
        """The register's and the export's rows: the long texts they never show stay in the
        table (a search sorts ~1,600 rows for a section; search_text alone is ~400 bytes)."""
        return self.select_related("sender", "presented_to", "lead_section", "lead_unit").defer(
            "summary", "return_reason", "proposal", "outcome", "search_text", "grantees"
        )


GRANT_COUNT_SECONDS = 600
# Per process, like a plan cache: {key: (expires, value)}. A stale entry picks a slower plan for
# a while, never a wrong row, so it need not be shared between workers (and costs no query).
_PLAN_HINTS: dict[object, tuple[float, int]] = {}


def _hint(key, compute) -> int:
    import time

    now = time.monotonic()
    hit = _PLAN_HINTS.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    if len(_PLAN_HINTS) > 10_000:
        _PLAN_HINTS.clear()
    value = compute()
    _PLAN_HINTS[key] = (now + GRANT_COUNT_SECONDS, value)
    return value


def grants_first_limit() -> int:
    """Grants below which the grants-first plan is cheaper (see visible_to_grants_first)."""

    def compute() -> int:
        from django.db import connection

        with connection.cursor() as cursor:  # the planner's own row estimate: no scan
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [IncomingDocument._meta.db_table],
            )
            documents = max(cursor.fetchone()[0], 0)
        # Entries walked vs rows fetched: a walked entry is a sequential read of the covering
        # index, a grant a random heap page (a small audience is spread over ten years), about
        # 20 times the cost: measured at 1,000,000 documents, 行政科's 29,000 grants first took
        # 1.8 s with a cold cache, more than its walk; a single reader's 200 grants take 1 ms.
        return max(1_000, int((10_001 * documents) ** 0.5) // 20)

    return _hint("limit", compute)


def _grant_count(user, grants) -> int:
    """The person's access rows, counted up to just past the limit (index-only)."""
    limit = grants_first_limit()
    return _hint(("grants", user.pk), lambda: grants.order_by()[: limit + 1].count())


class IncomingDocument(models.Model):
    # The number series (NumberSeries) the registration number was taken from: its prefix and year.
    registration_prefix = models.CharField(_("registration prefix"), max_length=30, editable=False)
    registration_year = models.PositiveSmallIntegerField(_("registration year"))
    registration_serial = models.PositiveIntegerField(_("registration serial"))
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True)

    sender = models.ForeignKey(
        Unit,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_documents",
    )
    sender_name = models.CharField(_("sender"), max_length=200)
    sender_reference = models.CharField(_("sender reference"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=300)
    doc_type = models.CharField(_("document type"), max_length=20, choices=DocType.choices)
    marking = models.CharField(
        _("marking"), max_length=12, choices=Marking.choices, default=Marking.INTERNAL
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    priority = models.PositiveSmallIntegerField(default=1, editable=False)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    written_on = models.DateField(_("date written"), null=True, blank=True)
    received_at = models.DateTimeField(_("time received"))
    main_recipient = models.CharField(_("main recipient"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same sender reference as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    state = models.CharField(
        _("state"),
        max_length=12,
        choices=IncomingState.choices,
        default=IncomingState.REGISTERED,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    proposal = models.TextField(_("proposal"), blank=True)
    presented_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presented to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    presented_at = models.DateTimeField(_("presented at"), null=True, blank=True)
    lead_section = models.ForeignKey(
        Section,
        verbose_name=_("lead section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retention = models.CharField(
        _("retention"), max_length=12, choices=Retention.choices, blank=True
    )
    volume_reference = models.CharField(_("volume reference"), max_length=60, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Character bigrams of title, sender, numbers and instruction text: a two-character Chinese
    # word is one token, found through a GIN index on PostgreSQL (office.search).
    search_text = models.TextField(editable=False, blank=True)
    # Whom the IncomingAccess rows open the document to, as keys (p<user> s<section> u<unit>;
    # `grantee_keys`): what `visible_to` tests. Written only by services._grant.
    grantees = models.TextField(editable=False, blank=True, default="", db_default="")
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncomingQuerySet.as_manager()

    # 密级: 非密 only — this system is not approved for state secrets (issue 15; S-15b).
    classification = classification_field()

    class Meta:
        verbose_name = _("incoming document")
        verbose_name_plural = _("incoming documents")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("register_incoming", _("Can register incoming documents")),
            ("view_all_incoming", _("Can see every unrestricted incoming document")),
            ("instruct_incoming", _("Can write instructions on incoming documents")),
            ("archive_incoming", _("Can file incoming documents in the archive")),
        ]
        constraints = [
            classification_constraint("documents_incoming_non_classified"),
            # One series per prefix and year: a prefix changed mid-year starts again at 1.
            models.UniqueConstraint(
                fields=["registration_prefix", "registration_year", "registration_serial"],
                name="incoming_prefix_year_serial",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="incoming_return_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state="archived") | ~Q(retention=""),
                name="incoming_archive_has_retention",
            ),
        ]
        indexes = [
            models.Index(
                fields=["presented_to", "-priority", "presented_at"],
                name="incoming_queue",
                condition=Q(state="presented"),
            ),
            models.Index(fields=["state", "-received_at"], name="incoming_state_received"),
            # On PostgreSQL migration 0005 rebuilds this one covering (INCLUDE grantees,
            # marking, state, urgency) and adds the GIN and state+urgency indexes the register
            # needs at 1,000,000 documents; a change here must carry those over.
            models.Index(fields=["-received_at", "-id"], name="incoming_received"),
            # The register's other sort orders (forms.SORTS) and its section filter, covering
            # on PostgreSQL too (migration 0007): a sort by number took 2.6 s at 1,000,000.
            models.Index(
                fields=["-registration_year", "-registration_serial", "-id"], name="incoming_number"
            ),
            models.Index(fields=["-priority", "-received_at", "-id"], name="incoming_priority"),
            models.Index(
                fields=["lead_section", "-received_at", "-id"], name="incoming_lead_section"
            ),
            models.Index(fields=["sender_reference"], name="incoming_sender_ref"),
            models.Index(fields=["sender", "-received_at", "-id"], name="incoming_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:incoming", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_read_only(self) -> bool:
        return self.state in (IncomingState.ARCHIVED, IncomingState.RETURNED)


class AccessReason(models.TextChoices):
    REGISTERED = "registered", _("registered it")
    AUDIENCE = "audience", _("named audience")
    PRESENTED = "presented", _("presented to")
    CIRCULATED = "circulated", _("circulated to")
    LEAD = "lead", _("lead handler")
    ASSIST = "assist", _("assisting handler")


class IncomingAccessQuerySet(models.QuerySet):
    def granted_to(self, user) -> IncomingAccessQuerySet:
        """The rows that name the person, their section or their unit (three indexes)."""
        from office.services.workitems import staff_of

        q = Q(user=user)
        staff = staff_of(user)
        if staff is not None and staff.section_id:
            q |= Q(section_id=staff.section_id)
        if staff is not None and staff.unit_id:
            q |= Q(unit_id=staff.unit_id)
        return self.filter(q)


class IncomingAccess(models.Model):
    """Who a document was routed to: the direct foreign-key permission table (ARCHITECTURE.md,
    "Who may see what"). Exactly one of user, section, unit per row."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="access")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=AccessReason.choices)
    granted_at = models.DateTimeField()

    objects = IncomingAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("document access")
        verbose_name_plural = _("document access")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, section__isnull=True, unit__isnull=True)
                    | Q(user__isnull=True, section__isnull=False, unit__isnull=True)
                    | Q(user__isnull=True, section__isnull=True, unit__isnull=False)
                ),
                name="incoming_access_one_grantee",
            ),
            models.UniqueConstraint(
                fields=["document", "user", "reason"],
                condition=Q(user__isnull=False),
                name="incoming_access_user_once",
            ),
            models.UniqueConstraint(
                fields=["document", "section", "reason"],
                condition=Q(section__isnull=False),
                name="incoming_access_section_once",
            ),
            models.UniqueConstraint(
                fields=["document", "unit", "reason"],
                condition=Q(unit__isnull=False),
                name="incoming_access_unit_once",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "document"], name="incoming_access_user"),
            models.Index(fields=["section", "document"], name="incoming_access_section"),
            models.Index(fields=["unit", "document"], name="incoming_access_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.user or self.section or self.unit}"


class Routing(models.TextChoices):
    """What a leader's instruction (批示) decides."""

    ASSIGN = "assign", _("assign for handling")
    FORWARD = "forward", _("pass on to another leader")
    CIRCULATE = "circulate", _("circulate for reading")
    READ = "read", _("read")


class Instruction(models.Model):
    """A leader's written instruction (批示): text, signer, time and the routing it decided."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.PROTECT, related_name="instructions"
    )
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("instruction"))
    routing = models.CharField(_("routing"), max_length=12, choices=Routing.choices)
    forwarded_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["document", "created_at"], name="instruction_document")]

    def __str__(self) -> str:
        return self.text[:50]


class HandlingRole(models.TextChoices):
    LEAD = "lead", _("lead")
    ASSIST = "assist", _("assisting")


class HandlingState(models.TextChoices):
    OPEN = "open", _("being handled")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Handling(models.Model):
    """One section or unit carrying out an instruction (承办: 主办 or 协办)."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.PROTECT, related_name="handlings"
    )
    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="+")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=8, choices=HandlingRole.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=HandlingState.choices, default=HandlingState.OPEN
    )
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("handling")
        verbose_name_plural = _("handling")
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=False, unit__isnull=True)
                | Q(section__isnull=True, unit__isnull=False),
                name="handling_one_handler",
            )
        ]

    def __str__(self) -> str:
        return str(self.handler)

    @property
    def handler(self):
        return self.section or self.unit


class ProgressNote(models.Model):
    """Progress recorded while handling (办理情况), in order."""

    handling = models.ForeignKey(Handling, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]


class ExtensionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("extension request", "pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ExtensionRequest(models.Model):
    """A handler asks for more time; the leader who instructed decides (限时办结制, §5.5)."""

    handling = models.ForeignKey(Handling, on_delete=models.PROTECT, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["handling"],
                condition=Q(state="pending"),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.handling}: +{self.days}"


class Circulation(models.Model):
    """传阅: who holds the document and who has read it (不得漏传、误传、延误)."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.PROTECT, related_name="circulations"
    )
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "reader"],
                condition=Q(read_at__isnull=True),
                name="circulation_once_unread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.reader}"


class AttachmentKind(models.TextChoices):
    SCAN = "scan", _("scanned document")
    ANNEX = "annex", _("annex")


class Attachment(models.Model):
    """A file stored under a generated name through Django's storage API (S-21…S-25)."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(max_length=12, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="incoming/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    # 密级: 非密 only — this system is not approved for state secrets (issue 15; S-15b).
    classification = classification_field()

    class Meta:
        constraints = [classification_constraint("documents_attachment_non_classified")]
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.original_name


from .outgoing.models import (  # noqa: E402, F401  (outgoing documents live in their own package)
    ArchiveItem,
    CoSign,
    Direction,
    Distribution,
    IssueNumber,
    IssuerSeal,
    LicensedFont,
    NormativeFiling,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingSeries,
    OutgoingState,
    OutgoingVersion,
    Translation,
)
