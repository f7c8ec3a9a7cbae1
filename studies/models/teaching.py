"""A cohort's studies: modules delivered in a year, mark sheets, juries and their results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from curriculum.models import Module
from enrollment.models.cohorts import Cohort, Student
from partners.models import Organisation

mark_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20))]


class Session(models.TextChoices):
    NORMAL = "N", _("First session")
    RESIT = "R", _("Resit")


class Offering(models.Model):
    """A module of the programme delivered to a cohort in an academic year."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("cohort")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("module")
    )
    academic_year = models.CharField(
        _("academic year"), max_length=9, help_text=_("For example 2025-2026.")
    )
    semester = models.PositiveSmallIntegerField(_("semester"))
    lecturers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="offerings", blank=True, verbose_name=_("lecturers")
    )
    partners = models.ManyToManyField(
        Organisation, related_name="offerings", blank=True, verbose_name=_("partners")
    )

    class Meta:
        db_table = "enrollment_offering"  # kept from before the move to studies
        verbose_name = _("module offering")
        verbose_name_plural = _("module offerings")
        ordering = ("semester", "module__unit__position", "module__position")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "module"], name="enrollment_offering_once_per_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.code} – {self.cohort}"


class MarkSheet(models.Model):
    """The marks of one offering at one session: open, then submitted by its lecturer
    (locked for them), then locked by the jury that closed over it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        LOCKED = "locked", _("Locked by the jury")

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="sheets")
    session = models.CharField(
        _("session"), max_length=1, choices=Session.choices, default=Session.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "enrollment_marksheet"  # kept from before the move to studies
        verbose_name = _("mark sheet")
        verbose_name_plural = _("mark sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "session"], name="enrollment_sheet_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering} ({self.get_session_display()})"


class Mark(models.Model):
    class Absence(models.TextChoices):
        NONE = "", _("Present")
        JUSTIFIED = "ABJ", _("Justified absence")
        UNJUSTIFIED = "ABI", _("Unjustified absence")

    sheet = models.ForeignKey(MarkSheet, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="marks")
    cc = models.DecimalField(
        _("continuous assessment"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark_validators,
    )
    exam = models.DecimalField(
        _("exam"), max_digits=4, decimal_places=2, null=True, blank=True, validators=mark_validators
    )
    absence = models.CharField(
        _("absence at the exam"), max_length=3, choices=Absence.choices, blank=True, default=""
    )
    excluded = models.BooleanField(_("excluded"), default=False)
    mark = models.DecimalField(
        _("module mark"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "enrollment_mark"  # kept from before the move to studies
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "student"], name="enrollment_mark_once_per_sheet"
            ),
            models.CheckConstraint(
                condition=(Q(cc__isnull=True) | Q(cc__gte=0, cc__lte=20))
                & (Q(exam__isnull=True) | Q(exam__gte=0, exam__lte=20)),
                name="enrollment_mark_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.sheet}: {self.mark}"


class MarkChange(models.Model):
    """Every change to a mark: who, when, before, after, why."""

    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        db_table = "enrollment_markchange"  # kept from before the move to studies
        verbose_name = _("mark change")
        verbose_name_plural = _("mark changes")
        ordering = ("changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.mark_id} {self.changed_at:%Y-%m-%d}"


class Jury(models.Model):
    """A deliberation: of a semester at one session, or of a year (annual compensation and
    progression; the last year's also decides the final result). Its lifecycle is
    ``studies.lifecycles.JURY``; every close writes a new version of the record it decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")
        REOPENED = "reopened", _("Reopened")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="juries", verbose_name=_("cohort")
    )
    semester = models.PositiveSmallIntegerField(_("semester"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    session = models.CharField(
        _("session"), max_length=1, choices=Session.choices, default=Session.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    version = models.PositiveSmallIntegerField(_("version of its results"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        db_table = "enrollment_jury"  # kept from before the move to studies
        verbose_name = _("jury")
        verbose_name_plural = _("juries")
        ordering = ("cohort", "year", "semester", "session")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "semester", "session"],
                condition=Q(semester__isnull=False),
                name="enrollment_jury_unique",
            ),
            models.UniqueConstraint(
                fields=["cohort", "year"],
                condition=Q(year__isnull=False),
                name="studies_year_jury_unique",
            ),
            models.CheckConstraint(
                condition=Q(semester__isnull=True, year__isnull=False)
                | Q(semester__isnull=False, year__isnull=True),
                name="studies_jury_of_a_semester_or_a_year",
            ),
        ]

    def __str__(self) -> str:
        if self.year is not None:
            return f"{self.cohort} {_('year')} {self.year}"
        return f"{self.cohort} S{self.semester} {self.get_session_display()}"

    @property
    def is_year(self) -> bool:
        return self.year is not None

    @property
    def semesters(self) -> tuple[int, ...]:
        """The semesters this jury decides on."""
        if self.year is not None:
            return (2 * self.year - 1, 2 * self.year)
        assert self.semester is not None
        return (self.semester,)

    @property
    def decided(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.PUBLISHED)


class JuryEvent(models.Model):
    jury = models.ForeignKey(Jury, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=20)
    reason = models.TextField(blank=True)

    class Meta:
        db_table = "enrollment_juryevent"  # kept from before the move to studies
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.jury} {self.action}"


class ClassSession(models.Model):
    """One session of the timetable: a lecture, tutorial, practical or a site visit."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        TUTORIAL = "tutorial", _("Tutorial")
        PRACTICAL = "practical", _("Practical")
        SITE_VISIT = "site_visit", _("Site visit at a partner")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="class_sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.LECTURE)
    place = models.CharField(_("place"), max_length=200, blank=True)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_sessions",
        verbose_name=_("host organisation"),
    )
    # #14: where, for whom and who teaches it (studies.models.operations.SessionLecturer).
    # ``cohort`` repeats the offering's, so that PostgreSQL can refuse overlapping sessions
    # of one cohort's group (an exclusion constraint, like the room's and the lecturer's).
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.CharField(
        _("group"), max_length=30, blank=True, help_text=_("Empty: the whole cohort.")
    )
    room = models.ForeignKey(
        "studies.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason for the cancellation"), max_length=300, blank=True)
    # The iCalendar SEQUENCE: raised each time the session moves or is cancelled.
    sequence = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "enrollment_classsession"  # kept from before the move to studies
        verbose_name = _("class session")
        verbose_name_plural = _("timetable")
        ordering = ("starts_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="enrollment_session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering.module.code} {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        JUSTIFIED = "justified", _("Justified absence")

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT
    )

    class Meta:
        db_table = "enrollment_attendance"  # kept from before the move to studies
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"], name="enrollment_attendance_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.session}: {self.status}"


class CalendarFeed(models.Model):
    """The secret address of a person's iCalendar feed, which its owner rotates or revokes.
    Without a row the first address (signed account number) works; once rotated, only the
    address with the current key does; revoked (empty key), none does."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="calendar_feed",
    )
    key = models.CharField(_("key"), max_length=64, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        db_table = "enrollment_calendarfeed"  # kept from before the move to studies
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}: {'active' if self.key else 'revoked'}"
