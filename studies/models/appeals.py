"""Consultation of marks and appeals (recours, academic-rules.md §1.11).

Once a mark sheet is submitted, the coordination opens a consultation window on it: its
students see their component marks and may each file one appeal at a time. The lecturers
of the offering or a coordinator answer: the mark is kept, or corrected (the correction is
a change of the mark, kept in ``MarkChange`` like any other). The lifecycle of an appeal is
``studies.lifecycles.APPEAL``; ``studies.services.appeals`` is the only writer.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from curriculum.models import Module
from enrollment.models import Student
from studies.models.teaching import MarkSheet


class ConsultationWindow(models.Model):
    """When the students of a mark sheet may see their marks and file appeals on them."""

    sheet = models.OneToOneField(
        MarkSheet,
        on_delete=models.CASCADE,
        related_name="consultation",
        verbose_name=_("mark sheet"),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("consultation window")
        verbose_name_plural = _("consultation windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="studies_consultation_closes_after_opens",
                violation_error_message=_("The consultation must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}: {self.opens_at:%Y-%m-%d %H:%M} – {self.closes_at:%Y-%m-%d %H:%M}"

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    def has_opened(self, now: datetime) -> bool:
        return self.opens_at <= now


class Appeal(models.Model):
    """A student's request that the mark of one module (one sheet) be reviewed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        KEPT = "kept", _("Mark kept")
        CORRECTED = "corrected", _("Mark corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    sheet = models.ForeignKey(
        MarkSheet, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("mark sheet")
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("student")
    )
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    #: The mark (as ``MarkChange`` writes it) when the appeal was answered, and after.
    before = models.JSONField(_("mark before the answer"), default=dict, blank=True)
    after = models.JSONField(_("mark after the answer"), default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ("-filed_at", "-pk")
        indexes = [models.Index(fields=["status", "sheet"], name="studies_appeal_status_sheet")]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "student"],
                condition=Q(status="open"),
                name="studies_appeal_one_open_per_sheet",
                violation_error_message=_(
                    "You already have an appeal waiting for an answer on this module."
                ),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="studies_appeal_has_a_reason"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reason"), 2000),
                name="studies_appeal_reason_2000_characters_at_most",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "withdrawn"]) | Q(answered_at__isnull=False),
                name="studies_appeal_answered_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="studies_appeal_withdrawn_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.sheet_id}: {self.status}"

    @property
    def module(self) -> Module:
        return self.sheet.offering.module
