"""The academic record: what the juries decided, stored once and read everywhere.

Only the jury services (``studies.services.juries``) write these rows, in the transaction
that closes a jury, from what ``curriculum.lmd`` returns (academic-rules.md §8). Every close
writes a new *version*; the rows of the previous one stay, no longer ``current``, so that a
document issued from them can be traced and re-issued. Transcripts, the cumulative
transcript, the success attestation, module certificates, jury records, "My programme",
the results pages and the exports read the current rows and compute nothing.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from curriculum.models import Module, TeachingUnit
from enrollment.models import Student
from studies.models.teaching import Jury, Session


class AcquiredBy(models.TextChoices):
    """How credits were acquired (academic-rules.md §1.4–§1.7)."""

    DIRECT = "direct", _("on its own")
    UNIT = "unit", _("by compensation within the unit")
    SEMESTER = "semester", _("by compensation within the semester")
    ANNUAL = "annual", _("by annual compensation")
    RESIT = "resit", _("at the resit")
    NONE = "", _("not acquired")


class Versioned(models.Model):
    """A row of one version of a jury's results; ``current`` marks the standing one."""

    jury = models.ForeignKey(Jury, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("version"))
    current = models.BooleanField(_("current"), default=True)
    written_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        abstract = True


class SemesterResult(Versioned):
    """A student's semester as decided: by its jury, then by the resit, then by the year."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="semester_results")
    semester = models.PositiveSmallIntegerField(_("semester"))
    session = models.CharField(_("session"), max_length=1, choices=Session.choices)
    average = models.DecimalField(_("semester average"), max_digits=4, decimal_places=2)
    credits = models.PositiveSmallIntegerField(_("credits"))
    total_credits = models.PositiveSmallIntegerField(_("credits of the semester"))
    decision = models.CharField(_("decision"), max_length=20)
    acquired_by = models.CharField(
        _("acquired"), max_length=10, choices=AcquiredBy.choices, blank=True
    )
    #: Modules sent to the resit by a first-session jury (empty once the resit is decided).
    resit_modules = models.JSONField(_("modules to resit"), default=list, blank=True)

    class Meta:
        verbose_name = _("semester result")
        verbose_name_plural = _("semester results")
        ordering = ("student", "semester", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "semester"],
                condition=Q(current=True),
                name="studies_semester_result_current_once",
            ),
        ]
        indexes = [models.Index(fields=["jury", "version"], name="studies_semres_jury_version")]

    def __str__(self) -> str:
        return f"{self.student_id} S{self.semester} v{self.version}: {self.decision}"

    @property
    def acquired(self) -> bool:
        return bool(self.acquired_by)


class UnitResult(models.Model):
    semester_result = models.ForeignKey(
        SemesterResult, on_delete=models.CASCADE, related_name="units"
    )
    unit = models.ForeignKey(TeachingUnit, on_delete=models.PROTECT, related_name="+")
    average = models.DecimalField(_("unit average"), max_digits=4, decimal_places=2)
    credits = models.PositiveSmallIntegerField(_("credits"))
    total_credits = models.PositiveSmallIntegerField(_("credits of the unit"))
    acquired_by = models.CharField(
        _("acquired"), max_length=10, choices=AcquiredBy.choices, blank=True
    )

    class Meta:
        verbose_name = _("unit result")
        verbose_name_plural = _("unit results")
        ordering = ("unit__position", "unit__code")

    def __str__(self) -> str:
        return f"{self.semester_result_id} {self.unit_id}: {self.average}"


class ModuleResult(models.Model):
    semester_result = models.ForeignKey(
        SemesterResult, on_delete=models.CASCADE, related_name="modules"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    mark = models.DecimalField(_("mark"), max_digits=4, decimal_places=2, null=True, blank=True)
    session = models.CharField(_("session kept"), max_length=1, choices=Session.choices)
    credits = models.PositiveSmallIntegerField(_("credits"))
    status = models.CharField(_("status"), max_length=12)
    acquired_by = models.CharField(
        _("acquired"), max_length=10, choices=AcquiredBy.choices, blank=True
    )

    class Meta:
        verbose_name = _("module result")
        verbose_name_plural = _("module results")
        ordering = ("module__unit__position", "module__position")

    def __str__(self) -> str:
        return f"{self.semester_result_id} {self.module_id}: {self.mark}"


class YearResult(Versioned):
    """Annual deliberation: the year average, credits and the progression (R-ANN-1, R-PROG-1)."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="year_results")
    year = models.PositiveSmallIntegerField(_("year"))
    average = models.DecimalField(_("annual average"), max_digits=4, decimal_places=2)
    credits = models.PositiveSmallIntegerField(_("credits"))
    total_credits = models.PositiveSmallIntegerField(_("credits of the year"))
    decision = models.CharField(_("decision"), max_length=20)
    progression = models.CharField(_("progression"), max_length=20, blank=True)
    debt_credits = models.PositiveSmallIntegerField(_("credits owed"), default=0)

    class Meta:
        verbose_name = _("year result")
        verbose_name_plural = _("year results")
        ordering = ("student", "year", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "year"],
                condition=Q(current=True),
                name="studies_year_result_current_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} Y{self.year} v{self.version}: {self.decision}"


class FinalResult(Versioned):
    """End of the cursus (academic-rules.md §1.9): MSE, ranking average MC with the counts it
    used, mention and rank in the promotion."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="final_results")
    average = models.DecimalField(_("final average"), max_digits=4, decimal_places=2)
    ranking_average = models.DecimalField(_("ranking average"), max_digits=4, decimal_places=2)
    credits = models.PositiveSmallIntegerField(_("credits"))
    total_credits = models.PositiveSmallIntegerField(_("credits of the programme"))
    repeats = models.PositiveSmallIntegerField(_("years repeated"), default=0)
    debts = models.PositiveSmallIntegerField(_("admissions with debts"), default=0)
    resits = models.PositiveSmallIntegerField(_("semesters passed at the resit"), default=0)
    mention = models.CharField(_("mention"), max_length=20, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("final result")
        verbose_name_plural = _("final results")
        ordering = ("rank", "student")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(current=True),
                name="studies_final_result_current_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} v{self.version}: {self.average}"
