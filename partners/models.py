from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedMixin
from core.uploads import get_private_storage

EXPIRY_WARNING_DAYS = 60
MAX_LOGO_BYTES = 1024 * 1024
MAX_AGREEMENT_BYTES = 10 * 1024 * 1024


class Organisation(TranslatedMixin, models.Model):
    class Kind(models.TextChoices):
        CLUSTER = "cluster", _("Industry cluster")
        SCHOOL = "school", _("Engineering school or university")
        COMPANY = "company", _("Company")
        INSTITUTION = "institution", _("Public institution")
        TRAINING = "training", _("Training institute")
        BUSINESS_CENTRE = "business_centre", _("Business centre")

    class Sector(models.TextChoices):
        AGRO_FOOD = "agro_food", _("Agro-food")
        PRECISION_MECHANICS = "precision_mechanics", _("Precision mechanics")
        DIGITAL = "digital", _("Digital and electronics")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER
    )
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    wilaya = models.CharField(_("wilaya"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name_fr",)
        constraints = [
            models.UniqueConstraint(
                "acronym", condition=~Q(acronym=""), name="partners_org_acronym_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.acronym or self.name_fr

    @property
    def display_name(self) -> str:
        name = self.tr("name")
        return f"{name} ({self.acronym})" if self.acronym and self.acronym not in name else name


class Contact(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role in the organisation"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_contacts",
        verbose_name=_("user account"),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ("full_name",)

    def __str__(self) -> str:
        return self.full_name


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def with_status(self, day: dt.date | None = None) -> AgreementQuerySet:
        """Annotate ``current_status``, the same rule as ``Agreement.status_on``, in SQL."""
        day = day or timezone.localdate()
        warn = day + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        S = Agreement.Status
        return self.annotate(
            current_status=models.Case(
                models.When(signed_on__isnull=True, then=models.Value(S.DRAFT.value)),
                models.When(valid_until__lt=day, then=models.Value(S.EXPIRED.value)),
                models.When(valid_from__gt=day, then=models.Value(S.UPCOMING.value)),
                models.When(valid_until__lte=warn, then=models.Value(S.EXPIRING.value)),
                default=models.Value(S.ACTIVE.value),
                output_field=models.CharField(),
            )
        )


def agreement_upload_to(instance: Agreement, filename: str) -> str:
    # The name is random (set by the service); this is only the fallback.
    return f"agreements/{filename}"


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Signed, not yet in force")
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Expiring within 60 days")
        EXPIRED = "expired", _("Expired")

    title = models.CharField(_("title"), max_length=250)
    parties = models.ManyToManyField(
        Organisation, related_name="agreements", verbose_name=_("parties")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scope_teaching = models.BooleanField(_("teaching"), default=False)
    scope_internships = models.BooleanField(_("internships"), default=False)
    scope_site_visits = models.BooleanField(_("site visits"), default=False)
    scope_research = models.BooleanField(_("research"), default=False)
    scope_recruitment = models.BooleanField(_("recruitment"), default=False)
    # #14: the co-teaching hours the agreement promises per academic year (empty: none
    # promised), compared with the hours its partners' lecturers taught.
    co_teaching_hours = models.PositiveSmallIntegerField(
        _("co-teaching hours per academic year"), null=True, blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    signed_pdf = models.FileField(
        _("signed copy (PDF)"),
        storage=get_private_storage,
        upload_to=agreement_upload_to,
        blank=True,
    )
    signed_pdf_name = models.CharField(max_length=200, blank=True)
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    SCOPES = (
        ("scope_teaching", _("teaching")),
        ("scope_internships", _("internships")),
        ("scope_site_visits", _("site visits")),
        ("scope_research", _("research")),
        ("scope_recruitment", _("recruitment")),
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ("-valid_from", "title")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="partners_agreement_ends_after_start",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def status_on(self, day: dt.date) -> str:
        if self.signed_on is None:
            return self.Status.DRAFT
        if self.valid_until is not None and self.valid_until < day:
            return self.Status.EXPIRED
        if self.valid_from > day:
            return self.Status.UPCOMING
        if self.valid_until is not None and self.valid_until <= day + dt.timedelta(
            days=EXPIRY_WARNING_DAYS
        ):
            return self.Status.EXPIRING
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def scopes(self) -> list[str]:
        return [str(label) for field, label in self.SCOPES if getattr(self, field)]
