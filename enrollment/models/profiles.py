"""What an applicant tells about themselves: identity in both scripts, education, work."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation

nin_validator = RegexValidator(
    r"^\d{18}$", _("The national identification number has exactly 18 digits."), code="nin"
)
phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{8,20}$",
    _("Enter a phone number: digits, spaces and an optional +."),
    code="phone",
)


class ApplicantProfile(models.Model):
    class Nationality(models.TextChoices):
        ALGERIAN = "DZ", _("Algerian")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_profile"
    )
    surname_latin = models.CharField(_("surname (Latin script)"), max_length=100, blank=True)
    given_names_latin = models.CharField(
        _("given names (Latin script)"), max_length=150, blank=True
    )
    surname_ar = models.CharField(_("surname (Arabic script)"), max_length=100, blank=True)
    given_names_ar = models.CharField(_("given names (Arabic script)"), max_length=150, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    birth_date_presumed = models.BooleanField(
        _("presumed date (year only)"),
        default=False,
        help_text=_("Civil status gives only the year: « né(e) présumé(e) en »."),
    )
    birth_place_latin = models.CharField(
        _("place of birth (Latin script)"), max_length=150, blank=True
    )
    birth_place_ar = models.CharField(
        _("place of birth (Arabic script)"), max_length=150, blank=True
    )
    nationality = models.CharField(
        _("nationality"), max_length=6, choices=Nationality.choices, default=Nationality.ALGERIAN
    )
    nationality_other = models.CharField(_("other nationality"), max_length=80, blank=True)
    nin = models.CharField(
        _("national identification number (NIN)"),
        max_length=18,
        blank=True,
        validators=[nin_validator],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    address = models.TextField(_("address"), blank=True)
    wilaya = models.CharField(_("wilaya"), max_length=60, blank=True)
    sector = models.CharField(
        _("sector of interest"), max_length=20, choices=Organisation.Sector.choices, blank=True
    )
    consent_at = models.DateTimeField(
        _("consent to data processing given at"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("applicant profile")
        verbose_name_plural = _("applicant profiles")

    def __str__(self) -> str:
        return self.full_name_latin or str(self.user)

    def clean(self) -> None:
        today = timezone.localdate()
        errors: dict[str, object] = {}
        if self.birth_date is not None and self.birth_date >= today:
            errors["birth_date"] = _("The date of birth must be in the past.")
        if self.birth_date_presumed and not self.birth_year:
            errors["birth_year"] = _("Give the presumed year of birth.")
        if self.birth_year and self.birth_year > today.year:
            errors["birth_year"] = _("The year of birth must be in the past.")
        if self.nationality == self.Nationality.OTHER and self.nin:
            errors["nin"] = _("The NIN is for Algerian nationals; leave it empty.")
        if errors:
            raise ValidationError(errors)

    @property
    def full_name_latin(self) -> str:
        return f"{self.surname_latin.upper()} {self.given_names_latin}".strip()

    @property
    def full_name_ar(self) -> str:
        return f"{self.surname_ar} {self.given_names_ar}".strip()


class Education(models.Model):
    class Degree(models.TextChoices):
        BAC = "bac", _("Baccalauréat")
        LICENCE = "licence", _("Licence (bac+3)")
        CLASSIC_LICENCE = "licence4", _("Classic licence (bac+4)")
        ENGINEER = "engineer", _("State engineer (bac+5)")
        MASTER = "master", _("Master (bac+5)")
        DOCTORATE = "doctorate", _("Doctorate")
        OTHER = "other", _("Other")

    profile = models.ForeignKey(
        ApplicantProfile, on_delete=models.CASCADE, related_name="education"
    )
    degree = models.CharField(_("degree"), max_length=12, choices=Degree.choices)
    field = models.CharField(_("field"), max_length=150)
    institution = models.CharField(_("institution"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("year obtained"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    average = models.DecimalField(
        _("average /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))],
    )

    class Meta:
        verbose_name = _("degree obtained")
        verbose_name_plural = _("education")
        ordering = ("-year",)

    def __str__(self) -> str:
        return f"{self.get_degree_display()} {self.field} ({self.year})"


class Experience(models.Model):
    profile = models.ForeignKey(
        ApplicantProfile, on_delete=models.CASCADE, related_name="experience"
    )
    employer = models.CharField(_("employer"), max_length=200)
    position = models.CharField(_("position"), max_length=150)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty if current."))
    description = models.TextField(_("what you did"), blank=True)

    class Meta:
        verbose_name = _("professional experience")
        verbose_name_plural = _("professional experience")
        ordering = ("-start",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="enrollment_experience_ends_after_start",
                violation_error_message=_("A job cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} – {self.employer}"
