"""S4: the internship in a member company or cluster, the thesis and its defence."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.uploads import get_private_storage
from enrollment.models.cohorts import Student
from partners.models import Organisation

mark_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))]


class Internship(models.Model):
    student = models.OneToOneField(
        Student, on_delete=models.PROTECT, related_name="internship", verbose_name=_("student")
    )
    host = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interns",
        verbose_name=_("host organisation (partner)"),
    )
    host_name = models.CharField(_("host company (if not a partner)"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    host_tutor = models.CharField(_("host tutor"), max_length=150)
    host_tutor_email = models.EmailField(_("host tutor's e-mail"), blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_internships",
        verbose_name=_("academic supervisor"),
    )
    agreement_pdf = models.FileField(
        _("tripartite agreement (signed PDF)"),
        storage=get_private_storage,
        upload_to="internships/",
        blank=True,
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)

    class Meta:
        db_table = "enrollment_internship"  # kept from before the move to studies
        verbose_name = _("internship")
        verbose_name_plural = _("internships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="enrollment_internship_ends_after_start",
                violation_error_message=_("An internship must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.host or self.host_name}"

    @property
    def weeks(self) -> int:
        return (self.ends_on - self.starts_on).days // 7


class Defence(models.Model):
    internship = models.OneToOneField(Internship, on_delete=models.CASCADE, related_name="defence")
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    authorised_at = models.DateTimeField(_("defence authorised at"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=120, blank=True)
    thesis = models.FileField(
        _("thesis (PDF)"), storage=get_private_storage, upload_to="theses/", blank=True
    )
    thesis_sent_at = models.DateTimeField(_("thesis sent to the jury at"), null=True, blank=True)
    written = models.DecimalField(
        _("written thesis /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark_validators,
    )
    oral = models.DecimalField(
        _("defence /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark_validators,
    )
    tutor = models.DecimalField(
        _("tutor's appraisal /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark_validators,
    )
    mark = models.DecimalField(
        _("thesis mark"), max_digits=4, decimal_places=2, null=True, blank=True
    )

    class Meta:
        db_table = "enrollment_defence"  # kept from before the move to studies
        verbose_name = _("defence")
        verbose_name_plural = _("defences")

    def __str__(self) -> str:
        return f"{self.internship.student}"


class DefenceMember(models.Model):
    class Role(models.TextChoices):
        PRESIDENT = "president", _("President")
        SUPERVISOR = "supervisor", _("Supervisor")
        EXAMINER = "examiner", _("Examiner")
        INVITED = "invited", _("Invited member")

    defence = models.ForeignKey(Defence, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))

    class Meta:
        db_table = "enrollment_defencemember"  # kept from before the move to studies
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        ordering = ("role", "name")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
