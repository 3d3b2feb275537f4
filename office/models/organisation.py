"""The organisation: sections (科室), units (下属单位 / 外单位) and staff (工作人员)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SectionQuerySet(models.QuerySet):
    def active(self) -> SectionQuerySet:
        return self.filter(active=True)


class Section(models.Model):
    """A section of the office (科室): 综合科, 秘书科, 法制办, 督查科, 街道办, 行政科.

    Staff and records point at a section with PROTECT, so a section in use cannot be deleted;
    the admin lists what still points at it. Retire a section by clearing `active`.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    head = models.ForeignKey(
        "office.Staff",
        verbose_name=_("section head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_sections",
    )
    leader_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sections_in_charge",
        help_text=_("分管领导: overdue work of the section is escalated to this leader."),
    )
    duties = models.TextField(_("duties"), blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    SUBORDINATE = "subordinate", _("subordinate unit")
    EXTERNAL = "external", _("external unit")


class UnitQuerySet(models.QuerySet):
    def named(self, text: str) -> Unit | None:
        """The unit whose name or short name is exactly ``text`` (as typed or picked from a
        list of units), or None."""
        return self.filter(Q(name=text) | Q(short_name=text)).order_by("pk").first()


class Unit(models.Model):
    """A unit outside the office's sections: our subordinate units, and the external departments,
    towns and sub-districts that documents, petitions and tasks are sent to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "display_order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffQuerySet(models.QuerySet):
    def for_list(self) -> StaffQuerySet:
        """What every staff list shows, in a constant number of queries."""
        return self.select_related("user", "section", "unit")

    def active(self) -> StaffQuerySet:
        return self.filter(user__is_active=True)

    def in_public_directory(self) -> StaffQuerySet:
        return self.active().filter(in_public_directory=True)


def staff_photo_path(instance: Staff, filename: str) -> str:
    """Stored under a generated name, never the uploaded one (SECURITY.md S-23)."""
    import uuid

    return f"staff/{uuid.uuid4().hex}.jpg"


class Staff(models.Model):
    """A member of staff (工作人员), one-to-one with the sign-in account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("For staff of a subordinate unit instead of a section."),
    )
    post = models.CharField(_("post"), max_length=50, blank=True)
    duties = models.CharField(_("duties"), max_length=200, blank=True)
    badge_number = models.CharField(_("badge number"), max_length=20, unique=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    mobile = models.CharField(
        _("mobile phone"),
        max_length=20,
        blank=True,
        help_text=_("For urgent notices by SMS; never shown in the public directory."),
    )
    photo = models.ImageField(_("photo"), upload_to=staff_photo_path, blank=True)
    in_public_directory = models.BooleanField(
        _("shown in the public directory"),
        default=True,
        help_text=_("挂牌上岗: name, post, badge number and section are shown to the public."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["display_order", "badge_number"]
        indexes = [models.Index(fields=["section", "display_order"], name="staff_section_order")]

    def __str__(self) -> str:
        return f"{self.name}（{self.badge_number}）"

    @property
    def name(self) -> str:
        from office.people import display_name

        return display_name(self.user)
