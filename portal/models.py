"""Serving the public (政务公开, 首问责任制, 挂牌上岗, 社会评议): DOMAIN.md §5.4, §5.5, §6.3.

Public pages read only what is marked for the public: published texts and guides, staff with
`in_public_directory`, comments a moderator approved. Every state change is a function in
`portal.services`; nothing else assigns `state`, `outcome` or `comment_state`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from office.models import Section, Staff, WorkItem


# --- Public texts and service guides -------------------------------------------------------
class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class PublicText(models.Model):
    """A text of the office shown to the public (the charter: duties, service commitments),
    entered by an admin. Unpublished texts are never shown."""

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), help_text=_("Paragraphs separated by an empty line."))
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public text")
        verbose_name_plural = _("public texts")
        ordering = ["display_order", "slug"]

    def __str__(self) -> str:
        return self.title


class ServiceGuide(models.Model):
    """办事指南: one matter the public can bring to the office, with everything they must know
    in one go (一次性告知): what to bring, where, when, how long it takes."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("matter"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    materials = models.TextField(
        _("materials to bring"), blank=True, help_text=_("One item per line.")
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    time_limit = models.CharField(_("time limit"), max_length=200, blank=True)
    fees = models.CharField(_("fees"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    contact_phone = models.CharField(_("phone for enquiries"), max_length=30, blank=True)
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_guides",
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service guide")
        verbose_name_plural = _("service guides")
        ordering = ["display_order", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def material_lines(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


# --- 依申请公开 -------------------------------------------------------------------------------
class DisclosureState(models.TextChoices):
    """RECEIVED → ANSWERED; RECEIVED → EXTENDED (once) → ANSWERED (政府信息公开条例 第三十三条)."""

    RECEIVED = "received", _("received")
    EXTENDED = "extended", _("extended")
    ANSWERED = "answered", _("answered")


class DisclosureOutcome(models.TextChoices):
    """The answers of DOMAIN.md §6.3 (政府信息公开条例 第三十六条)."""

    PROVIDED = "provided", _("information provided")
    NOT_DISCLOSED = "not_disclosed", _("not disclosed (with reasons)")
    ALREADY_PUBLIC = "already_public", _("already public (where to find it)")
    DOES_NOT_EXIST = "does_not_exist", _("the information does not exist")
    UNCLEAR = "unclear", _("request unclear (clarification asked)")


# Outcomes whose reply must say why, or where, or what to clarify.
OUTCOMES_NEEDING_REPLY = frozenset(
    {DisclosureOutcome.NOT_DISCLOSED, DisclosureOutcome.ALREADY_PUBLIC, DisclosureOutcome.UNCLEAR}
)


class Delivery(models.TextChoices):
    EMAIL = "email", _("by e-mail")
    POST = "post", _("by post")
    PICKUP = "pickup", _("collect in person")


class DisclosureQuerySet(models.QuerySet):
    def visible_to(self, user) -> DisclosureQuerySet:
        """Requests a person may see: all of them for whoever oversees all work; otherwise those
        of their section, of the section they head, or of a section in their charge."""
        if user.has_perm("portal.view_all_disclosure"):
            return self
        q = Q(section__head__user=user) | Q(section__leader_in_charge=user)
        q |= Q(section__staff__user=user)
        return self.filter(pk__in=DisclosureRequest.objects.filter(q).values("pk"))


class DisclosureRequest(models.Model):
    """依申请公开: a request for government information, answered within 20 working days with
    one extension of at most 20 (the `disclosure.answer` rule), tracked by one work item."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    applicant_name = models.CharField(_("applicant (person or organisation)"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("e-mail"), max_length=120, blank=True)
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    description = models.TextField(_("information requested"), max_length=2000)
    delivery = models.CharField(
        _("how to receive it"), max_length=10, choices=Delivery.choices, default=Delivery.EMAIL
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=DisclosureState.choices,
        default=DisclosureState.RECEIVED,
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=DisclosureOutcome.choices, blank=True
    )
    reply = models.TextField(_("reply"), blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A keyed hash of the address, for the rate limit: never the address itself.
    client = models.CharField(max_length=64, db_index=True, editable=False)
    # The form's one-time token: a double click or a resent form makes one request (S-19).
    token = models.CharField(max_length=32, unique=True, editable=False)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure request")
        verbose_name_plural = _("disclosure requests")
        ordering = ["-received_at", "-pk"]
        permissions = [("view_all_disclosure", _("Can see every disclosure request"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DisclosureState.values), name="disclosure_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=DisclosureState.ANSWERED) | ~Q(outcome=""),
                name="disclosure_answered_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


# --- 挂牌上岗: today's whereabouts ----------------------------------------------------------
class PresenceStatus(models.TextChoices):
    IN_OFFICE = "in_office", _("in the office")
    MEETING = "meeting", _("in a meeting")
    AWAY = "away", _("away on business")
    LEAVE = "leave", _("on leave")


class Presence(models.Model):
    """去向牌: where a person is today, set by them or their section head. A status set on an
    earlier day is not shown as today's."""

    staff = models.OneToOneField(
        Staff, on_delete=models.CASCADE, primary_key=True, related_name="presence"
    )
    status = models.CharField(_("whereabouts"), max_length=20, choices=PresenceStatus.choices)
    day = models.DateField(_("day"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("whereabouts")
        verbose_name_plural = _("whereabouts")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PresenceStatus.values), name="presence_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.get_status_display()}"


# --- 社会评议 -------------------------------------------------------------------------------
class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    FAIRLY = "fairly", _("fairly satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class CommentState(models.TextChoices):
    """NONE for a rating without a comment; PENDING → APPROVED | REJECTED by a moderator."""

    NONE = "none", _("no comment")
    PENDING = "pending", _("awaiting moderation")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class EvaluationQuerySet(models.QuerySet):
    def moderated_by(self, user) -> EvaluationQuerySet:
        """Comments a person may moderate: every one for whoever oversees all work, otherwise
        those about their own section; never a comment about themselves."""
        qs = self.exclude(staff__user=user)
        if user.has_perm("portal.view_all_evaluation"):
            return qs
        return qs.filter(section__head__user=user)

    def public_comments(self) -> EvaluationQuerySet:
        return self.filter(comment_state=CommentState.APPROVED)


class Evaluation(models.Model):
    """One rating from the public, of a staff member or of a service (a service guide). The
    section is fixed at rating time, so the monthly results do not move when people move."""

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    guide = models.ForeignKey(
        ServiceGuide, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    comment_state = models.CharField(
        _("comment"), max_length=20, choices=CommentState.choices, default=CommentState.NONE
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # A keyed hash of the address, for the rate limit: never the address itself.
    client = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(_("rated at"), db_index=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("moderate_evaluation", _("Can moderate comments from the public")),
            ("view_all_evaluation", _("Can see every evaluation")),
            ("view_evaluation_results", _("Can see the monthly evaluation results")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) ^ Q(guide__isnull=False),
                name="evaluation_one_target",
            ),
            models.CheckConstraint(
                condition=Q(rating__in=Rating.values), name="evaluation_rating_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


# --- 首问登记 -------------------------------------------------------------------------------
class InquiryChannel(models.TextChoices):
    VISIT = "visit", _("in person")
    PHONE = "phone", pgettext_lazy("inquiry", "by phone")
    ONLINE = "online", _("online")


class InquiryResult(models.TextChoices):
    """How a first inquiry ended (DOMAIN.md §5.4)."""

    SETTLED = "settled", _("settled at once")
    HANDED_OVER = "handed_over", _("handed to a colleague")
    FORWARDED = "forwarded", _("forwarded to another body")
    ACCEPTED = "accepted", _("accepted with a promised date")


class InquiryQuerySet(models.QuerySet):
    def visible_to(self, user) -> InquiryQuerySet:
        """Entries a person may see: their own (logged, first responder, handler), those of the
        section they head, and all of them for whoever oversees all work."""
        if user.has_perm("office.view_all_workitems"):
            return self
        q = Q(created_by=user) | Q(first_responder__user=user) | Q(handler__user=user)
        q |= Q(first_responder__section__head__user=user) | Q(handler__section__head__user=user)
        return self.filter(pk__in=Inquiry.objects.filter(q).values("pk"))

    def for_list(self) -> InquiryQuerySet:
        return self.select_related(
            "first_responder__user", "handler__user", "guide", "work_item"
        ).order_by("-received_at", "-pk")


class Inquiry(models.Model):
    """首问登记: one visit, call or online question, logged by its first responder (首问责任人)."""

    channel = models.CharField(
        pgettext_lazy("inquiry", "channel"),
        max_length=10,
        choices=InquiryChannel.choices,
        default=InquiryChannel.VISIT,
    )
    visitor = models.CharField(_("name or unit"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    matter = models.TextField(_("matter"), max_length=2000)
    guide = models.ForeignKey(
        ServiceGuide,
        verbose_name=_("service guide"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_responder = models.ForeignKey(
        Staff, verbose_name=_("first responder"), on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        Staff,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=20, choices=InquiryResult.choices)
    forwarded_to = models.CharField(_("forwarded to"), max_length=200, blank=True)
    result_note = models.TextField(_("how it was handled"), max_length=2000, blank=True)
    promised_at = models.DateTimeField(_("promised date"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    work_item = models.ForeignKey(
        WorkItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("first inquiry")
        verbose_name_plural = _("first inquiries")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=InquiryResult.values), name="inquiry_result_valid"
            ),
            models.CheckConstraint(
                condition=~Q(result=InquiryResult.ACCEPTED) | Q(promised_at__isnull=False),
                name="inquiry_accepted_has_promise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} · {self.get_result_display()}"


class InquiryMaterial(models.Model):
    """A material taken in (收件), with its number of pages, for the receipt (收件回执)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=100)
    pages = models.PositiveSmallIntegerField(_("pages"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(pages__gte=1), name="material_pages")]

    def __str__(self) -> str:
        return f"{self.name}（{self.pages}）"
