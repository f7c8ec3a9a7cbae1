from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedMixin
from curriculum.models import Programme


class Counter(models.Model):
    """Sequences for readable numbers (APP-2026-0001, MCRT-2026-0001): a number is taken
    under a row lock and never handed out again, even if its holder is deleted."""

    key = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class Cohort(TranslatedMixin, models.Model):
    """A promotion, e.g. "Promotion 2026–2028": the seats are the hard limit of students."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=150)
    name_ar = models.CharField(_("name (Arabic)"), max_length=150, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    start_date = models.DateField(_("start date"))
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=25, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ("-start_date",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="enrollment_cohort_seats_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.tr("name")

    @property
    def year(self) -> int:
        return self.start_date.year


class Student(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        GRADUATED = "graduated", _("Graduated")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="student_records",
        verbose_name=_("person"),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="students", verbose_name=_("cohort")
    )
    registration_number = models.CharField(_("registration number"), max_length=30, unique=True)

    class Level(models.TextChoices):
        M1 = "M1", _("M1")
        M2 = "M2", _("M2")

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    level = models.CharField(_("level"), max_length=2, choices=Level.choices, default=Level.M1)
    group = models.CharField(_("group"), max_length=30, blank=True)
    application = models.OneToOneField(
        "enrollment.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ("registration_number",)
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cohort"], name="enrollment_student_once_per_cohort"
            ),
        ]

    def __str__(self) -> str:
        return self.registration_number


class StudentStatusChange(models.Model):
    """Every change of a student's status: who, when, from what, to what and why."""

    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("student"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    before = models.CharField(_("status before"), max_length=12, choices=Student.Status.choices)
    after = models.CharField(_("status after"), max_length=12, choices=Student.Status.choices)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("student status change")
        verbose_name_plural = _("student status changes")
        ordering = ("changed_at", "pk")
        indexes = [
            models.Index(fields=["student", "changed_at"], name="enrollment_status_change_idx")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.before}→{self.after} {self.changed_at:%Y-%m-%d}"
