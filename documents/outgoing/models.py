"""Outgoing documents (发文) and their series, versions, co-signing, numbers and distribution.

Transitions (`documents.outgoing.services`; nothing else assigns `state`):

    draft → reviewing (送核稿)
    reviewing → cosigning (核稿 passed, co-signers named) | legal_review (normative, none named)
              | signing (核稿 passed) | draft (returned to the drafter)
    cosigning → legal_review (normative) | signing (every co-signer agreed) | draft (one disagreed)
    legal_review → signing (passed) | draft (failed: it cannot be signed, DOMAIN.md §6.2)
    signing → signed (签发) | draft (the leader sends it back)
    signed → registered (复核 + 登记: the issue number is taken here, never earlier)
           | signing (a substantive change at 复核 goes back to the signer, 第二十五条)
    registered → signed (the number is voided and recorded as voided)
               | dispatched (印制 + 核发: distribution recorded)
    dispatched → archived
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.classification import classification_constraint, classification_field
from office.models import Section, Unit, Urgency, WorkItem


class Direction(models.TextChoices):
    UPWARD = "up", _("upward")
    DOWNWARD = "down", _("downward")
    LATERAL = "lateral", _("lateral")


class OutgoingSeries(models.Model):
    """A document series (乌政发, 乌政办发, 乌政函…), configured by the system admin. Its counter is
    the `NumberSeries` row of (code, year), the same locked counter incoming registration uses."""

    code = models.CharField(_("issuer code (机关代字)"), max_length=20, unique=True)
    issuer_name = models.CharField(_("issuer name"), max_length=100)
    header_text = models.CharField(_("red header text"), max_length=60)
    header_mongolian = models.CharField(_("Mongolian header line"), max_length=120, blank=True)
    letter_format = models.BooleanField(_("letter format (信函)"), default=False)
    issuing_section = models.ForeignKey(
        Section,
        verbose_name=_("issuing section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the Office itself issues it (only the Office issues external series)."),
    )
    signer_upward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer of upward documents"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer_downward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer of downward and lateral documents"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 党政机关公文处理工作条例 第九条（十三）: a document with an issuer signature carries the
    # issuer's seal; only 普发性 documents with a specific issuer mark may go without.
    seal_required = models.BooleanField(
        _("seal required"),
        default=True,
        help_text=_(
            "A document that carries the issuer's signature must be sealed. Clear this only for a "
            "series of widely distributed documents with a specific issuer mark (…文件), which "
            "may then be printed unsealed when no seal has been uploaded."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("document series")
        verbose_name_plural = _("document series")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def signer_for(self, direction: str):
        return self.signer_upward if direction == Direction.UPWARD else self.signer_downward


class OutgoingState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("outgoing state", "draft")
    REVIEWING = "reviewing", _("awaiting review")
    COSIGNING = "cosigning", _("co-signing")
    LEGAL_REVIEW = "legal_review", _("legality review")
    SIGNING = "signing", _("awaiting signature")
    SIGNED = "signed", _("signed")
    REGISTERED = "registered", _("numbered")
    DISPATCHED = "dispatched", _("dispatched")
    ARCHIVED = "archived", pgettext_lazy("outgoing state", "archived")


EDITABLE_STATES = (OutgoingState.DRAFT, OutgoingState.SIGNED)
NUMBERED_STATES = ["registered", "dispatched", "archived"]


class OutgoingQuerySet(models.QuerySet):
    def visible_to(self, user) -> OutgoingQuerySet:
        """Drafter and drafting section, the secretariat/supervision/archive (view_all), the
        co-signing sections, the legal section for normative documents, the signer. One filter
        with subqueries; restricted documents only by person."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        from office.services.workitems import staff_of

        person = Q(drafted_by=user) | Q(signer=user)
        person |= Q(pk__in=Translation.objects.filter(translator=user).values("document_id"))
        if user.has_perm("documents.view_all_outgoing"):
            return self.filter(~Q(marking="restricted") | person)
        staff = staff_of(user)
        grants = person
        if staff is not None and staff.section_id:
            grants |= Q(drafting_section_id=staff.section_id)
            grants |= Q(
                pk__in=CoSign.objects.filter(section_id=staff.section_id).values("document_id")
            )
            if staff.section.code == "legal":
                grants |= Q(normative=True, state__in=LEGAL_SEES)
        if staff is not None and staff.unit_id:
            grants |= Q(pk__in=CoSign.objects.filter(unit_id=staff.unit_id).values("document_id"))
        return self.filter(grants & (~Q(marking="restricted") | person))

    def awaiting_signature(self, leader) -> OutgoingQuerySet:
        return (
            self.filter(state=OutgoingState.SIGNING, signer=leader)
            .select_related("series", "drafting_section")
            .order_by("-priority", "submitted_at", "pk")
        )

    def for_list(self) -> OutgoingQuerySet:
        return self.select_related("series", "drafting_section", "drafted_by", "signer")

    def published(self) -> OutgoingQuerySet:
        """What the public pages list (政务公开): documents marked public that have been issued
        (dispatched or archived), newest first. Nothing unpublished ever matches."""
        return (
            self.filter(
                marking="public",
                state__in=[OutgoingState.DISPATCHED, OutgoingState.ARCHIVED],
            )
            .exclude(issue_number="")
            .select_related("series")
            .order_by("-dispatched_at", "-pk")
        )


LEGAL_SEES = (
    OutgoingState.LEGAL_REVIEW,
    OutgoingState.SIGNING,
    OutgoingState.SIGNED,
    OutgoingState.REGISTERED,
    OutgoingState.DISPATCHED,
    OutgoingState.ARCHIVED,
)


class OutgoingDocument(models.Model):
    series = models.ForeignKey(
        OutgoingSeries, verbose_name=_("series"), on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.CharField(_("document type"), max_length=20)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    title = models.CharField(_("title"), max_length=300)
    main_recipients = models.ManyToManyField(
        Unit, verbose_name=_("main recipients"), related_name="+", blank=True
    )
    copy_recipients = models.ManyToManyField(
        Unit, verbose_name=_("copy recipients"), related_name="+", blank=True
    )
    # One block per line: "一、" "（一）" "1." "（1）" open headings, anything else is a paragraph
    # (documents.outgoing.body). Stored as typed, so nothing the drafter wrote is lost.
    body = models.TextField(_("body"))
    attachments = models.TextField(_("attachments"), blank=True, help_text=_("One per line."))
    notes = models.CharField(_("notes (附注)"), max_length=300, blank=True)
    marking = models.CharField(_("marking"), max_length=12, default="internal")
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    priority = models.PositiveSmallIntegerField(default=1, editable=False)
    normative = models.BooleanField(_("normative document"), default=False)
    issuer_signature = models.CharField(_("issuer signature"), max_length=100, blank=True)
    lint_overrides = models.JSONField(default=list, blank=True)

    state = models.CharField(
        _("state"), max_length=14, choices=OutgoingState.choices, default=OutgoingState.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafting_section = models.ForeignKey(
        Section, verbose_name=_("drafting section"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    legal_passed = models.BooleanField(null=True, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_version = models.PositiveIntegerField(null=True, blank=True)
    sign_comment = models.TextField(blank=True)
    issue_year = models.PositiveSmallIntegerField(null=True, blank=True)
    issue_serial = models.PositiveIntegerField(null=True, blank=True)
    issue_number = models.CharField(_("issue number"), max_length=40, blank=True)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    retention = models.CharField(_("retention"), max_length=12, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutgoingQuerySet.as_manager()

    # 密级: 非密 only — this system is not approved for state secrets (issue 15; S-15b).
    classification = classification_field()

    class Meta:
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        ordering = ["-drafted_at", "-pk"]
        permissions = [
            ("draft_outgoing", _("Can draft outgoing documents")),
            ("review_outgoing", _("Can review, number and dispatch outgoing documents")),
            ("view_all_outgoing", _("Can see every unrestricted outgoing document")),
            ("sign_outgoing", _("Can sign off outgoing documents")),
        ]
        constraints = [
            classification_constraint("documents_outgoing_non_classified"),
            models.UniqueConstraint(
                fields=["series", "issue_year", "issue_serial"],
                condition=Q(issue_serial__isnull=False),
                name="outgoing_series_year_serial",
            ),
            # The number is taken at registration, never at drafting (S-29).
            models.CheckConstraint(
                condition=Q(state__in=NUMBERED_STATES, issue_serial__isnull=False)
                | (~Q(state__in=NUMBERED_STATES) & Q(issue_serial__isnull=True)),
                name="outgoing_numbered_iff_registered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["signer", "-priority", "submitted_at"],
                name="outgoing_signing_queue",
                condition=Q(state="signing"),
            ),
            models.Index(fields=["state", "-drafted_at"], name="outgoing_state_drafted"),
            models.Index(fields=["drafting_section", "-drafted_at"], name="outgoing_section"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_number or _('(unnumbered)')} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:outgoing", args=[self.pk])

    def get_doc_type_display(self) -> str:
        from documents.models import DocType

        return dict(DocType.choices).get(self.doc_type, self.doc_type)

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES


class OutgoingVersion(models.Model):
    """Every saved state of the text: nothing a drafter or reviewer wrote is overwritten."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    attachments = models.TextField(blank=True)
    notes = models.CharField(max_length=300, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="outgoing_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class CoSignState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("co-signing", "pending")
    AGREED = "agreed", _("agreed")
    DISAGREED = "disagreed", _("disagreed")
    CANCELLED = "cancelled", _("cancelled")


class CoSign(models.Model):
    """会签: one co-signing section or unit, in parallel with the others."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="cosigns")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=CoSignState.choices, default="pending")
    opinion = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=False, unit__isnull=True)
                | Q(section__isnull=True, unit__isnull=False),
                name="cosign_one_party",
            )
        ]

    def __str__(self) -> str:
        return str(self.section or self.unit)


class IssueNumberState(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("issue number", "issued")
    VOIDED = "voided", _("voided")


class IssueNumber(models.Model):
    """The ledger of every number a series gave out: issued, or voided with a reason — never
    silently reused or skipped (S-29)."""

    series = models.ForeignKey(OutgoingSeries, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    text = models.CharField(max_length=40)
    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="numbers")
    state = models.CharField(max_length=8, choices=IssueNumberState.choices, default="issued")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    void_reason = models.TextField(blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["series", "year", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "serial"], name="issue_number_series_year_serial"
            ),
            models.CheckConstraint(
                condition=Q(state="issued") | ~Q(void_reason=""), name="issue_number_void_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Distribution(models.Model):
    """核发: who got how many copies, and the incoming document it became for internal units."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="distribution"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    copies = models.PositiveSmallIntegerField(default=1)
    incoming = models.ForeignKey(
        "documents.IncomingDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="distribution_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} × {self.copies}"


class FilingState(models.TextChoices):
    DUE = "due", _("filing due")
    FILED = "filed", _("filed")


FILING_PACKAGE = {
    "report": _("filing report (备案报告)"),
    "text": _("the text, two copies"),
    "explanation": _("drafting explanation (起草说明)"),
    "basis": _("legal basis"),
    "opinion": _("legality review opinion"),
}


class NormativeFiling(models.Model):
    """规范性文件备案 (DOMAIN.md §6.2): due within 30 days of publication with the government one
    level up; the register keeps the validity period and reminds to review (清理) before it ends."""

    document = models.OneToOneField(
        OutgoingDocument, on_delete=models.PROTECT, related_name="filing"
    )
    state = models.CharField(
        _("state"), max_length=8, choices=FilingState.choices, default=FilingState.DUE
    )
    published_on = models.DateField(_("published on"))
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("filing reference"), max_length=60, blank=True)
    package = models.JSONField(default=list, blank=True)
    effective_on = models.DateField(_("takes effect on"), null=True, blank=True)
    early_effect_reason = models.TextField(_("why it takes effect within 30 days"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_item = models.OneToOneField(
        WorkItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("normative document filing")
        verbose_name_plural = _("normative document filings")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="due") | Q(filed_on__isnull=False, valid_until__isnull=False),
                name="filing_filed_has_date_and_validity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document}"


class TranslationState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    SUBMITTED = "submitted", _("submitted")


class Translation(models.Model):
    """翻译: an outgoing document's version in another language (in Inner Mongolia, Mongolian),
    as a task with a translator and a deadline (DOMAIN.md §2.7)."""

    LANGUAGES = [("mn", _("Mongolian")), ("en", _("English"))]

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.PROTECT, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="mn")
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("translator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    work_item = models.OneToOneField(WorkItem, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=10, choices=TranslationState.choices, default=TranslationState.REQUESTED
    )
    title = models.CharField(_("translated title"), max_length=300, blank=True)
    text = models.TextField(_("translated text"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="requested") | ~Q(text=""), name="translation_submitted_has_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} · {self.get_language_display()}"


class OutgoingAttachment(models.Model):
    """A file attached to a draft (附件): checked and stored like the attachments of incoming
    documents (`office.files`, S-21…S-25), downloaded only through a permission check."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="outgoing/attachments/%Y/%m/", max_length=200)
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
        constraints = [classification_constraint("documents_outgoingattachment_non_classified")]
        verbose_name = _("attachment file")
        verbose_name_plural = _("attachment files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def title(self) -> str:
        """The name the 附件说明 prints: the file name without its extension."""
        stem, dot, _ext = self.original_name.rpartition(".")
        return stem if dot and stem else self.original_name


class IssuerSeal(models.Model):
    """The seal (印章) of an issuing body, uploaded by the security admin and applied at 印制 only
    (GB/T 9704-2012 7.3.5.1). Stored re-encoded as PNG under a generated name in the media folder,
    which is never served: the renderer embeds it from our own code as a data: URL."""

    issuer_name = models.CharField(
        _("issuer name"),
        max_length=100,
        unique=True,
        help_text=_("Exactly as the series prints it in the signature (发文机关署名)."),
    )
    image = models.FileField(_("seal image"), upload_to="outgoing/seals/", max_length=200)
    diameter_mm = models.PositiveSmallIntegerField(
        _("diameter (mm)"),
        default=42,
        help_text=_(
            "The seal's size on paper: 42 mm for most bodies, 45 mm for a city government."
        ),
    )
    width_px = models.PositiveIntegerField(editable=False, default=0)
    height_px = models.PositiveIntegerField(editable=False, default=0)
    size = models.PositiveIntegerField(editable=False, default=0)
    sha256 = models.CharField(max_length=64, editable=False)
    original_name = models.CharField(max_length=200, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("issuer seal")
        verbose_name_plural = _("issuer seals")
        ordering = ["issuer_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(diameter_mm__gte=30, diameter_mm__lte=60), name="seal_diameter_range"
            )
        ]

    def __str__(self) -> str:
        return self.issuer_name


class FontRole(models.TextChoices):
    BIAOSONG = "biaosong", "方正小标宋简体"
    FANGSONG = "fangsong", "仿宋_GB2312"
    KAITI = "kaiti", "楷体_GB2312"
    HEITI = "heiti", "黑体"


class LicensedFont(models.Model):
    """A licensed font the deployment uploaded for one role of GB/T 9704 (DOMAIN.md §2.7 item 3).
    WeasyPrint loads it through @font-face from our own font folder (S-26); without one, the
    open Debian fonts stand in."""

    role = models.CharField(_("role"), max_length=10, choices=FontRole.choices, unique=True)
    file = models.FileField(_("font file"), upload_to="outgoing/fonts/", max_length=200)
    family = models.CharField(_("font family"), max_length=120, editable=False)
    postscript_name = models.CharField(max_length=120, editable=False)
    original_name = models.CharField(max_length=200, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(editable=False)

    class Meta:
        verbose_name = _("licensed font")
        verbose_name_plural = _("licensed fonts")
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.family}"


class ArchiveItem(models.Model):
    """One archived item (件) of the 归档文件目录 (DA/T 22-2015 立卷归档 by 件).

    The 件号 runs from 1 within 全宗 / 年度 / 保管期限 / 机构 (5.2), gapless, allocated under the
    counter's row lock in the archiving transaction; the 档号 is 全宗号-WS·年度-保管期限代码-机构代码-
    件号 (6.1). The electronic record (GB/T 18894-2016) is the document's record copy as issued,
    named here with its SHA-256 (fixity)."""

    RETENTION_CODES = {"permanent": "Y", "30y": "D30", "10y": "D10"}

    fonds = models.CharField(_("fonds"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    retention = models.CharField(_("retention"), max_length=12)
    section_code = models.CharField(_("organisation code"), max_length=30)
    number = models.PositiveIntegerField(_("item number"))
    document = models.OneToOneField(
        OutgoingDocument, on_delete=models.PROTECT, related_name="archive_item"
    )
    reference = models.CharField(_("issue number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300)
    responsible = models.CharField(_("responsible party"), max_length=100)
    written_on = models.DateField(_("date"), null=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField()

    class Meta:
        verbose_name = _("archived item")
        verbose_name_plural = _("archived items")
        ordering = ["year", "retention", "section_code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "year", "retention", "section_code", "number"],
                name="archive_item_number_once",
            )
        ]
        indexes = [models.Index(fields=["year", "retention", "section_code", "number"])]

    def __str__(self) -> str:
        return self.archive_code

    def get_retention_display(self) -> str:
        from documents.models import Retention

        return str(dict(Retention.choices).get(self.retention, self.retention))

    @property
    def archive_code(self) -> str:
        code = self.RETENTION_CODES.get(self.retention, self.retention)
        return f"{self.fonds}-WS·{self.year}-{code}-{self.section_code}-{self.number:04d}"
