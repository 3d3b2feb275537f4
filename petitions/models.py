"""Letters and visits (信访): the petition, its petitioners, decisions, notices and reviews.

Rules: 信访工作条例 (2022) with 信访条例 (2005) as the reference (DOMAIN.md §3). Time limits come
from the spine's rules petition.accept (15 days), petition.handle (60 + one extension ≤ 30),
petition.review and petition.re_review (30 each, hearings pause the clock) — calendar days, the
first day not counted, a last day on a holiday rolls over (民法典 第二百零一、二百零三条).

Personal data (S-17): the ID number, phone and address of each petitioner are stored only as
SM4 ciphertext (`petitions.crypto`) beside HMAC search hashes; pages show masks.

Who may see a petition is one subquery (`visible_to`): the petition office sees all; a unit or
section it was assigned to sees it; the person who registered it or is its first responder sees it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.classification import classification_constraint, classification_field
from office.models import Section, Unit, WorkItem

from . import crypto


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "来电"
    ONLINE = "online", "网上信访"
    FORWARDED = "forwarded", "上级转送交办"


class ForwardedFrom(models.TextChoices):
    """Where a forwarded or assigned item came from (its reference is recorded with it)."""

    LEAGUE = "league", "兴安盟"
    REGION = "region", "自治区"
    NATIONAL = "national", "国家信访信息系统"
    HOTLINE = "hotline", "12345热线"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    """分类处理 (信访工作条例 2022)."""

    SUGGESTION = "suggestion", "建议意见类"
    ACCUSATION = "accusation", "检举控告类"
    CLAIM = "claim", "申诉求决类"


class SubjectArea(models.TextChoices):
    URBAN = "urban", "城乡建设"
    LABOUR = "labour", "劳动和社会保障"
    LAND = "land", "国土资源"
    AGRICULTURE = "agriculture", "农村农业"
    ENVIRONMENT = "environment", "生态环境"
    EDUCATION = "education", "教育"
    HEALTH = "health", "卫生健康"
    LAW = "law", "政法"
    TRANSPORT = "transport", "交通运输"
    OTHER = "other", "其他"


class StatutoryChannel(models.TextChoices):
    """The channel a 不予受理 or 申诉求决 item belongs to."""

    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    ADMIN_REVIEW = "admin_review", "行政复议"
    LEGAL_ORGANS = "legal_organs", "政法机关（涉法涉诉）"
    DISCIPLINE = "discipline", "纪检监察机关"
    OTHER_BODY = "other_body", "其他有权处理的机关"


class PetitionState(models.TextChoices):
    """States and the transitions `petitions.services` allows:

    registered → accepted (受理 or 交办) | rejected (不予受理) | not_reaccepted (不再受理)
               | transferred (转送)
    accepted → replied (处理意见书)
    replied → review (复查 applied for within 30 days)
    review → reviewed
    reviewed → re_review (复核 applied for within 30 days)
    re_review → re_reviewed (final: the same facts are not accepted again)
    """

    REGISTERED = "registered", pgettext_lazy("petition state", "awaiting decision")
    ACCEPTED = "accepted", pgettext_lazy("petition state", "being handled")
    REJECTED = "rejected", "不予受理"
    NOT_REACCEPTED = "not_reaccepted", "不再受理"
    TRANSFERRED = "transferred", "已转送"
    REPLIED = "replied", "已答复"
    REVIEW = "review", "复查中"
    REVIEWED = "reviewed", "已复查"
    RE_REVIEW = "re_review", "复核中"
    RE_REVIEWED = "re_reviewed", "已复核"


OPEN_STATES = (
    PetitionState.REGISTERED,
    PetitionState.ACCEPTED,
    PetitionState.REVIEW,
    PetitionState.RE_REVIEW,
)


class Decision(models.TextChoices):
    ACCEPT = "accept", "受理"
    ASSIGN = "assign", "交办"
    REJECT = "reject", "不予受理"
    NOT_REACCEPT = "not_reaccept", "不再受理"
    TRANSFER = "transfer", "转送"


class Outcome(models.TextChoices):
    """The decision on the merits (2005 第三十二条), one per request."""

    SUPPORT = "support", "予以支持"
    EXPLAIN = "explain", "解释说明"
    NOT_SUPPORT = "not_support", "不予支持"


class PetitionQuerySet(models.QuerySet):
    def visible_to(self, user) -> PetitionQuerySet:
        """The petitions `user` may see: ONE subquery on the assignments plus two columns (S-11)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.has_perm("petitions.view_all_petitions"):
            return self
        from office.services.workitems import staff_of

        staff = staff_of(user)
        grants = Q(pk__in=[])
        if staff is not None and staff.section_id:
            grants |= Q(section_id=staff.section_id)
        if staff is not None and staff.unit_id:
            grants |= Q(unit_id=staff.unit_id)
        assigned = Assignment.objects.filter(grants).values("petition_id")
        return self.filter(Q(pk__in=assigned) | Q(registered_by=user) | Q(first_responder=user))

    def for_list(self) -> PetitionQuerySet:
        return self.select_related("first_responder", "complained_unit").prefetch_related(
            models.Prefetch(
                "petitioners",
                queryset=Petitioner.objects.filter(order=0),
                to_attr="lead_petitioners",
            )
        )


class Petition(models.Model):
    number = models.CharField(_("petition number"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    forwarded_from = models.CharField(
        _("forwarded from"), max_length=12, choices=ForwardedFrom.choices, blank=True
    )
    forwarded_reference = models.CharField(_("their reference"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    subject_area = models.CharField(_("subject area"), max_length=12, choices=SubjectArea.choices)
    title = models.CharField(_("subject"), max_length=100)
    request = models.TextField(_("request"))
    facts = models.TextField(_("facts"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    complained_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit complained about"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_group = models.BooleanField(_("group visit"), default=False)
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1)
    materials = models.CharField(_("materials received"), max_length=300, blank=True)

    received_at = models.DateTimeField(_("received at"))
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first responder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The query code is a bearer secret (S-18): kept as a keyed hash for the look-up and as
    # ciphertext so the acknowledgement can be printed again.
    query_code_hash = models.CharField(max_length=64, unique=True, editable=False)
    query_code_enc = models.TextField(editable=False)
    # A double-submitted online form carries the same token: one petition (S-19).
    idempotency_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
    )

    state = models.CharField(
        _("state"), max_length=16, choices=PetitionState.choices, default=PetitionState.REGISTERED
    )
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=14, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    statutory_channel = models.CharField(
        _("statutory channel"), max_length=14, choices=StatutoryChannel.choices, blank=True
    )
    transferred_to = models.ForeignKey(
        Unit,
        verbose_name=_("transferred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identity_shared = models.BooleanField(_("identity passed on"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # The two statutory deadlines as they stood, kept for the rates (及时受理率, 按期办结率).
    accept_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    handle_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    extended = models.BooleanField(_("extended"), default=False)

    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_basis = models.TextField(_("legal and policy basis"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    rating = models.CharField(_("rating"), max_length=20, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by_phone = models.BooleanField(default=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("register_petition", _("Can register petitions")),
            ("view_all_petitions", _("Can see every petition")),
            ("decide_petition", _("Can decide, assign and reply to petitions")),
            ("reveal_petitioner", _("Can reveal a petitioner's personal data")),
            ("export_petitioner_data", _("Can export petitioners' personal data")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(statutory_channel=""),
                name="petition_rejection_names_channel",
            ),
            models.CheckConstraint(
                condition=Q(headcount__gte=1), name="petition_headcount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="petition_received"),
            # with the id: the capped count of a state filter is an index-only scan
            models.Index(
                fields=["state", "-received_at", "-id"], name="petition_state_received_id"
            ),
            models.Index(fields=["subject_area", "-received_at"], name="petition_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("petitions:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def query_code(self) -> str:
        return crypto.decrypt(self.query_code_enc)

    @property
    def lead_petitioner(self):
        cached = getattr(self, "lead_petitioners", None)
        if cached is not None:
            return cached[0] if cached else None
        return self.petitioners.filter(order=0).first()


class PetitionerRole(models.TextChoices):
    PETITIONER = "petitioner", "信访人"
    REPRESENTATIVE = "representative", "代表"
    AGENT = "agent", "代理人"


MAX_REPRESENTATIVES = 5  # group visits choose at most five representatives
MAX_AGENTS = 2  # one or two authorised agents (local regulation, DOMAIN.md §3.5)


class Petitioner(models.Model):
    """A person on a petition. Personal data only as ciphertext + keyed hash (S-17)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="petitioners")
    role = models.CharField(max_length=16, choices=PetitionerRole.choices)
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=50)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    address_enc = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [
            models.Index(fields=["id_number_hash"], name="petitioner_id_hash"),
            models.Index(fields=["phone_hash"], name="petitioner_phone_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_personal(self, *, id_number: str = "", phone: str = "", address: str = "") -> None:
        self.id_number_enc = crypto.encrypt(crypto.normalise("id", id_number))
        self.id_number_hash = crypto.keyed_hash("id", id_number)
        self.phone_enc = crypto.encrypt(crypto.normalise("phone", phone))
        self.phone_hash = crypto.keyed_hash("phone", phone)
        self.address_enc = crypto.encrypt(address.strip())

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    @property
    def address(self) -> str:
        return crypto.decrypt(self.address_enc)

    @property
    def masked_id_number(self) -> str:
        return crypto.mask_id(self.id_number)

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return crypto.mask_address(self.address)


class AssignmentState(models.TextChoices):
    OPEN = "open", pgettext_lazy("assignment state", "being handled")
    REPORTED = "reported", _("reported back")


class Assignment(models.Model):
    """交办 to a unit (or a section) with a deadline and a completion report (办结报告)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_shared = models.BooleanField(default=False)
    instructions = models.TextField(_("instructions"), blank=True)
    state = models.CharField(
        max_length=10, choices=AssignmentState.choices, default=AssignmentState.OPEN
    )
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")
    report = models.TextField(_("report"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=False, unit__isnull=True)
                | Q(section__isnull=True, unit__isnull=False),
                name="petition_assignment_one_handler",
            )
        ]
        indexes = [
            models.Index(fields=["unit", "petition"], name="petition_assignment_unit"),
            models.Index(fields=["section", "petition"], name="petition_assignment_section"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.unit or self.section}"

    @property
    def handler(self):
        return self.unit or self.section


class NoticeKind(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", "信访事项登记回执"
    ACCEPT = "accept", "受理告知书"
    ASSIGN = "assign", "受理告知书（交办）"
    REJECT = "reject", "不予受理告知书"
    NOT_REACCEPT = "not_reaccept", "不再受理告知书"
    TRANSFER = "transfer", "转送告知书"
    EXTENSION = "extension", "延长办理期限告知书"
    REPLY = "reply", "处理意见书"
    REVIEW = "review", "复查意见书"
    RE_REVIEW = "re_review", "复核意见书"


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", "当面送达"
    POST = "post", "邮寄送达"
    SMS = "sms", "短信告知"
    ONLINE = "online", "网上告知"


class Notice(models.Model):
    """A written notice to the petitioner (告知书, 意见书): what it said, when and how it went.
    The PDF is rendered from these fields, so a reprint says exactly the same."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=14, choices=NoticeKind.choices)
    body = models.TextField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_method = models.CharField(
        _("delivered by"), max_length=10, choices=DeliveryMethod.choices, blank=True
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_note = models.CharField(_("delivery note"), max_length=200, blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition.number} {self.get_kind_display()}"


class ReviewLevel(models.TextChoices):
    REVIEW = "review", "复查"
    RE_REVIEW = "re_review", "复核"


class Review(models.Model):
    """复查 or 复核: applied for within 30 days of the previous written answer, decided within 30
    (hearing time not counted in 复核)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="reviews")
    level = models.CharField(max_length=10, choices=ReviewLevel.choices)
    applied_at = models.DateTimeField()
    reasons = models.TextField(_("reasons"))
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    decision_text = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "level"], name="petition_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.get_level_display()}"


class Attachment(models.Model):
    """Material handed in with a petition, under a generated name (S-21…S-25)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="petitions/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    # 密级: 非密 only — this system is not approved for state secrets (issue 15; S-15b).
    classification = classification_field()

    class Meta:
        constraints = [classification_constraint("petitions_attachment_non_classified")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ExportState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", pgettext_lazy("export", "in progress")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class LedgerExport(models.Model):
    """A long 信访台账 export, built by a worker (petitions.tasks.build_ledger) with its progress
    on the status page and the file downloadable by the person who asked for it."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    personal_data = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", max_length=200, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total) if self.total else 0


class StatCounts(models.Model):
    """The counts behind the four rates (petitions.stats) for one cell of the monthly
    pre-aggregates. Each petition adds 1 to `received` of the cell of the month it was received
    in (local time) and of its rating (blank until rated); the other counts are 0 or 1 per
    petition. The services keep them in step in the same transaction as each state change;
    `manage.py petition_stats --rebuild` recomputes them from the records."""

    month = models.DateField()
    rating = models.CharField(max_length=20, blank=True)
    received = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    decided_on_time = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    replied_on_time = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)

    class Meta:
        abstract = True


class PetitionMonthStat(StatCounts):
    """Month × channel × category × subject area × rating: one petition is in exactly one cell."""

    channel = models.CharField(max_length=12)
    category = models.CharField(max_length=12)
    subject_area = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "channel", "category", "subject_area", "rating"],
                name="petition_month_stat_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel}/{self.category}/{self.subject_area}"


class PetitionUnitMonthStat(StatCounts):
    """Month × unit × rating: a petition counts once for every distinct unit it was assigned to,
    or once under unit_key 0 (not assigned to a unit) — the by-unit table of the statistics."""

    unit_key = models.PositiveIntegerField()  # the unit's id; 0: no unit

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit_key", "rating"], name="petition_unit_month_stat_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} unit {self.unit_key}"
