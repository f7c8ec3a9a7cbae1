"""Programme → semesters → teaching units (UE) → modules (matières), who teaches them, and
the rule set the programme is assessed under (docs/academic-rules.md §1, §4, §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedMixin
from curriculum import lmd
from partners.models import Organisation

ZERO, ONE = Decimal(0), Decimal(1)
weight_validators = [MinValueValidator(ZERO), MaxValueValidator(ONE)]


class DiplomaAuthority(TranslatedMixin, models.Model):
    """Who awards the diploma and on which legal basis (academic-rules.md §0): never hard-coded."""

    issuer_fr = models.CharField(_("issuer (French)"), max_length=250)
    issuer_ar = models.CharField(_("issuer (Arabic)"), max_length=250, blank=True)
    issuer_en = models.CharField(_("issuer (English)"), max_length=250, blank=True)
    diploma_title_fr = models.CharField(_("diploma title (French)"), max_length=250)
    diploma_title_ar = models.CharField(_("diploma title (Arabic)"), max_length=250, blank=True)
    diploma_title_en = models.CharField(_("diploma title (English)"), max_length=250, blank=True)
    legal_basis_fr = models.TextField(_("legal basis (French)"), blank=True)
    legal_basis_ar = models.TextField(_("legal basis (Arabic)"), blank=True)
    signatories = models.TextField(
        _("signatories"), blank=True, help_text=_("One per line: name — title.")
    )

    class Meta:
        verbose_name = _("diploma authority")
        verbose_name_plural = _("diploma authorities")

    def __str__(self) -> str:
        return self.issuer_fr


class Programme(TranslatedMixin, models.Model):
    class RattrapageMode(models.TextChoices):
        WITH_CC = lmd.WITH_CC, _("Continuous assessment kept, resit replaces the exam")
        EXAM_ONLY = lmd.EXAM_ONLY, _("Resit mark only")

    code = models.CharField(_("code"), max_length=20, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=250)
    title_ar = models.CharField(_("title (Arabic)"), max_length=250, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    domain_fr = models.CharField(_("domain (French)"), max_length=150, blank=True)
    domain_ar = models.CharField(_("domain (Arabic)"), max_length=150, blank=True)
    domain_en = models.CharField(_("domain (English)"), max_length=150, blank=True)
    speciality_fr = models.CharField(_("speciality (French)"), max_length=200, blank=True)
    speciality_ar = models.CharField(_("speciality (Arabic)"), max_length=200, blank=True)
    speciality_en = models.CharField(_("speciality (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    diploma_authority = models.ForeignKey(
        DiplomaAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("diploma authority"),
    )
    semester_count = models.PositiveSmallIntegerField(
        _("number of semesters"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # --- The rule set (academic-rules.md §6): each [K]/[P] value a field, domain default.
    ruleset_name = models.CharField(_("rule set"), max_length=40, default="LMD-2011")
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=4, decimal_places=2, default=Decimal(10)
    )
    compare_rounded = models.BooleanField(
        _("compare rounded averages with thresholds"), default=True
    )
    default_w_cc = models.DecimalField(
        _("default weight of continuous assessment"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.40"),
        validators=weight_validators,
    )
    rattrapage_mode = models.CharField(
        _("resit rule"), max_length=10, choices=RattrapageMode.choices, default=lmd.WITH_CC
    )
    excluded_may_resit = models.BooleanField(
        _("an excluded student may sit the resit"), default=False
    )
    annual_compensation = models.BooleanField(
        _("compensation between the semesters of a year"), default=True
    )
    final_semester_compensable = models.BooleanField(
        _("the final semester (thesis) may be acquired by annual compensation"), default=False
    )
    m2_requires_all_m1_credits = models.BooleanField(_("M2 requires all M1 credits"), default=True)
    m2_debt_allowed = models.BooleanField(_("passing to M2 with debts is allowed"), default=False)
    m2_min_credits_with_debt = models.PositiveSmallIntegerField(
        _("minimum M1 credits to pass with debts"), default=45
    )
    ranking_factor = models.DecimalField(
        _("ranking penalty factor (a)"), max_digits=4, decimal_places=3, default=Decimal("0.04")
    )
    mention_passable = models.DecimalField(
        _("Passable from"), max_digits=4, decimal_places=2, default=Decimal(10)
    )
    mention_assez_bien = models.DecimalField(
        _("Assez bien from"), max_digits=4, decimal_places=2, default=Decimal(12)
    )
    mention_bien = models.DecimalField(
        _("Bien from"), max_digits=4, decimal_places=2, default=Decimal(14)
    )
    mention_tres_bien = models.DecimalField(
        _("Très bien from"), max_digits=4, decimal_places=2, default=Decimal(16)
    )
    mention_excellent = models.DecimalField(
        _("Excellent from (empty: no Excellent)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
    )
    max_master_years = models.PositiveSmallIntegerField(_("maximum years of enrolment"), default=3)
    memoire_weight_written = models.DecimalField(
        _("thesis: weight of the written thesis"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=weight_validators,
    )
    memoire_weight_oral = models.DecimalField(
        _("thesis: weight of the defence"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=weight_validators,
    )
    memoire_weight_tutor = models.DecimalField(
        _("thesis: weight of the internship tutor's assessment"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=weight_validators,
    )
    semester_credits = models.PositiveSmallIntegerField(_("credits per semester"), default=30)
    # R-MEM-4 [P]: internship length.
    internship_min_weeks = models.PositiveSmallIntegerField(
        _("internship: fewest weeks"), default=16
    )
    internship_max_weeks = models.PositiveSmallIntegerField(_("internship: most weeks"), default=24)
    # #14: how many days after a session a student may justify an absence.
    justification_days = models.PositiveSmallIntegerField(
        _("days to justify an absence"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # Consequences of arrears (off when empty): a document is withheld while one of the
    # student's instalments has been overdue for more than this many days.
    arrears_withhold_attestation_days = models.PositiveSmallIntegerField(
        _("withhold the enrollment attestation after this many days of arrears"),
        null=True,
        blank=True,
        help_text=_("Empty: never withheld."),
    )
    arrears_withhold_transcript_days = models.PositiveSmallIntegerField(
        _("withhold the transcript after this many days of arrears"),
        null=True,
        blank=True,
        help_text=_("Empty: never withheld (the default)."),
    )

    RULESET_FIELDS = (
        "pass_mark", "compare_rounded", "default_w_cc", "rattrapage_mode", "excluded_may_resit",
        "annual_compensation", "final_semester_compensable", "m2_requires_all_m1_credits",
        "m2_debt_allowed", "m2_min_credits_with_debt", "ranking_factor", "mention_passable",
        "mention_assez_bien", "mention_bien", "mention_tres_bien", "mention_excellent",
        "max_master_years", "memoire_weight_written", "memoire_weight_oral",
        "memoire_weight_tutor", "semester_credits",
    )  # fmt: skip

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code

    @property
    def total_credits(self) -> int:
        return self.semester_credits * self.semester_count

    def rules(self) -> lmd.RuleSet:
        """The rule set ``curriculum.lmd`` applies to this programme."""
        values: dict[str, Any] = {name: getattr(self, name) for name in self.RULESET_FIELDS}
        return lmd.RuleSet(
            name=self.ruleset_name or "LMD",
            final_semester=self.semester_count,
            **values,
        )

    def clean(self) -> None:
        try:
            self.rules()
        except lmd.InvalidInputError as exc:
            field = exc.field if exc.field in self.RULESET_FIELDS else None
            raise ValidationError({field: exc.message} if field else exc.message) from exc
        except (TypeError, ValueError) as exc:
            raise ValidationError(str(exc)) from exc


class Semester(TranslatedMixin, models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="semesters", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    weeks = models.PositiveSmallIntegerField(_("weeks"), default=15)

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ("programme", "number")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="curriculum_semester_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"S{self.number}"


class TeachingUnit(TranslatedMixin, models.Model):
    class Kind(models.TextChoices):
        UEF = "UEF", _("Fundamental (UEF)")
        UEM = "UEM", _("Methodological (UEM)")
        UED = "UED", _("Discovery (UED)")
        UET = "UET", _("Transversal (UET)")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="units", editable=False
    )
    semester = models.ForeignKey(
        Semester, on_delete=models.CASCADE, related_name="units", verbose_name=_("semester")
    )
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    credits = models.PositiveSmallIntegerField(_("credits"))
    coefficient = models.PositiveSmallIntegerField(
        _("coefficient"), validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("teaching unit")
        verbose_name_plural = _("teaching units")
        ordering = ("semester__number", "position", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="curriculum_unit_code_unique",
                violation_error_message=_("This code is already used in the programme."),
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gte=1), name="curriculum_unit_coef_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.programme_id = self.semester.programme_id
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude: Any = None) -> None:
        if self.semester_id and not self.programme_id:
            self.programme_id = self.semester.programme_id
        super().validate_constraints(exclude=exclude)


class Module(TranslatedMixin, models.Model):
    """A matière: its credits, coefficient, weekly hours and assessment weighting."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="modules", editable=False
    )
    unit = models.ForeignKey(
        TeachingUnit,
        on_delete=models.CASCADE,
        related_name="modules",
        verbose_name=_("teaching unit"),
    )
    code = models.CharField(_("code"), max_length=20)
    title_fr = models.CharField(_("title (French)"), max_length=250)
    title_ar = models.CharField(_("title (Arabic)"), max_length=250, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    credits = models.PositiveSmallIntegerField(_("credits"))
    coefficient = models.PositiveSmallIntegerField(
        _("coefficient"), validators=[MinValueValidator(1)]
    )
    hours_lecture = models.DecimalField(
        _("lecture hours per week"),
        max_digits=4,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    hours_tutorial = models.DecimalField(
        _("tutorial hours per week"),
        max_digits=4,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    hours_practical = models.DecimalField(
        _("practical hours per week"),
        max_digits=4,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    student_work_hours = models.PositiveSmallIntegerField(
        _("total student work (hours)"),
        null=True,
        blank=True,
        help_text=_("For modules without weekly classes, such as the thesis."),
    )
    w_cc = models.DecimalField(
        _("weight of continuous assessment"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.40"),
        validators=weight_validators,
    )
    w_exam = models.DecimalField(
        _("weight of the final exam"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=weight_validators,
    )
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    outcomes_fr = models.TextField(_("learning outcomes (French)"), blank=True)
    outcomes_ar = models.TextField(_("learning outcomes (Arabic)"), blank=True)
    outcomes_en = models.TextField(_("learning outcomes (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_thesis = models.BooleanField(
        _("thesis module"),
        default=False,
        help_text=_(
            "The mark of the thesis defence goes to this module (academic-rules.md §1.10)."
        ),
    )
    lecturers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ModuleLecturer",
        related_name="taught_modules",
        blank=True,
    )
    partners = models.ManyToManyField(
        Organisation, through="ModulePartner", related_name="modules", blank=True
    )

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ("unit__semester__number", "unit__position", "position", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="curriculum_module_code_unique",
                violation_error_message=_("This code is already used in the programme."),
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gte=1), name="curriculum_module_coef_positive"
            ),
            models.CheckConstraint(
                condition=Q(w_cc__gte=0) & Q(w_exam__gte=0) & Q(w_cc__lte=1) & Q(w_exam__lte=1),
                name="curriculum_module_weights_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.programme_id = self.unit.programme_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.w_cc is not None and self.w_exam is not None and self.w_cc + self.w_exam != ONE:
            raise ValidationError(
                {"w_exam": _("The weights of continuous assessment and exam must add up to 1.")}
            )

    def validate_constraints(self, exclude: Any = None) -> None:
        if self.unit_id and not self.programme_id:
            self.programme_id = self.unit.programme_id
        super().validate_constraints(exclude=exclude)

    @property
    def weekly_hours(self) -> Decimal:
        return self.hours_lecture + self.hours_tutorial + self.hours_practical

    def semester_hours(self, weeks: int = 15) -> Decimal:
        return self.weekly_hours * weeks

    @property
    def weighting_label(self) -> str:
        if self.w_cc == ONE:
            return str(_("continuous assessment only"))
        if self.w_exam == ONE:
            return str(_("final exam only"))
        return f"{int(self.w_cc * 100)}/{int(self.w_exam * 100)}"


class ModuleLecturer(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead lecturer")
        CO = "co", _("Co-teaching")
        GUEST = "guest", _("Guest speaker")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lecturer_roles")
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="module_roles",
        verbose_name=_("lecturer"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEAD)

    class Meta:
        verbose_name = _("lecturer of a module")
        verbose_name_plural = _("lecturers of modules")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "lecturer"],
                name="curriculum_module_lecturer_unique",
                violation_error_message=_("This lecturer already teaches this module."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} – {self.lecturer}"


class ModulePartner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO = "co", _("Co-teaching")
        HOST = "host", _("Site-visit host")
        GUESTS = "guests", _("Guest speakers")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="partner_roles")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="module_roles",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CO)

    class Meta:
        verbose_name = _("partner of a module")
        verbose_name_plural = _("partners of modules")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "organisation"],
                name="curriculum_module_partner_unique",
                violation_error_message=_("This organisation is already a partner of this module."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} – {self.organisation}"
