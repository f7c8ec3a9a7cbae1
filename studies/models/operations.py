"""Teaching operations (#14): rooms, who teaches each session, absence justifications,
announcements, materials and module evaluations.

Evaluations are anonymous by construction: an answer (``EvaluationResponse`` and its
``EvaluationAnswer`` rows) stores no student, no time and no sequential id — random UUIDs —
so that neither a join nor the order of insertion links it to the ``EvaluationParticipation``
row that only records that a student has answered (to refuse a second answer).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedMixin
from core.uploads import get_private_storage
from enrollment.models.cohorts import Cohort, Student
from partners.models import Agreement, Organisation
from studies.models.teaching import Attendance, ClassSession, Offering


class Room(models.Model):
    """Where sessions take place: at TEMA, at the WTC or at a partner organisation's site."""

    class Site(models.TextChoices):
        TEMA = "tema", _("TEMA")
        WTC = "wtc", _("World Trade Center Algiers")
        PARTNER = "partner", _("A partner's site")

    name = models.CharField(_("name"), max_length=120)
    site = models.CharField(_("site"), max_length=10, choices=Site.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rooms",
        verbose_name=_("partner organisation"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ("site", "name")
        constraints = [
            models.CheckConstraint(
                condition=(Q(site="partner") & Q(organisation__isnull=False))
                | (~Q(site="partner") & Q(organisation__isnull=True)),
                name="studies_room_partner_site",
                violation_error_message=_("A room at a partner's site names the partner."),
            ),
            models.UniqueConstraint(
                fields=["site", "name"],
                condition=Q(organisation__isnull=True),
                name="studies_room_once",
                violation_error_message=_("This site already has a room of that name."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(organisation__isnull=False),
                name="studies_partner_room_once",
                violation_error_message=_("This site already has a room of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SessionLecturer(models.Model):
    """A lecturer of a class session, counted for ``organisation`` (the partner they teach
    for, if any). The session's times are copied here so that PostgreSQL can refuse one
    lecturer in two overlapping sessions (an exclusion constraint, see the migration)."""

    session = models.ForeignKey(
        ClassSession, on_delete=models.CASCADE, related_name="session_lecturers"
    )
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="taught_sessions",
        verbose_name=_("lecturer"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="taught_sessions",
        verbose_name=_("teaching for"),
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("session lecturer")
        verbose_name_plural = _("session lecturers")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "lecturer"], name="studies_session_lecturer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.lecturer_id}"


class AbsenceJustification(models.Model):
    """A student's justification of an absence, decided by the coordination."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    attendance = models.OneToOneField(
        Attendance, on_delete=models.CASCADE, related_name="justification"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    file = models.FileField(
        _("supporting document"),
        storage=get_private_storage,
        upload_to="justifications/",
        max_length=200,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("reason for the refusal"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("absence justification")
        verbose_name_plural = _("absence justifications")
        ordering = ("-submitted_at",)

    def __str__(self) -> str:
        return f"{self.attendance_id}: {self.status}"


class Announcement(models.Model):
    """A message from a coordinator or a module's lecturer to a cohort, one of its groups,
    or the students of a module offering."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="announcements", verbose_name=_("cohort")
    )
    group = models.CharField(_("group"), max_length=30, blank=True)
    offering = models.ForeignKey(
        Offering,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("module"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=10000)
    attachment = models.FileField(
        _("attachment"),
        storage=get_private_storage,
        upload_to="announcements/",
        max_length=200,
        blank=True,
    )
    attachment_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(group="") | Q(offering__isnull=True),
                name="studies_announcement_one_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class MaterialSection(TranslatedMixin, models.Model):
    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="material_sections"
    )
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("section of materials")
        verbose_name_plural = _("sections of materials")
        ordering = ("offering", "position", "pk")

    def __str__(self) -> str:
        return self.tr("title")


class Material(models.Model):
    """A file (its versions kept) or a link, in a section of an offering's materials."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    section = models.ForeignKey(MaterialSection, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), blank=True, max_length=500)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ("section", "position", "pk")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="")) | (Q(kind="file") & Q(url="")),
                name="studies_material_link_has_url",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MaterialVersion(models.Model):
    """A version of a material's file; the newest is shown, the older ones are kept."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(storage=get_private_storage, upload_to="materials/", max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ("material", "-number")
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="studies_material_version"),
        ]

    def __str__(self) -> str:
        return f"{self.material_id} v{self.number}"


class Questionnaire(models.Model):
    """The end-of-semester evaluation of a cohort's modules: the coordinators' questions,
    open between two dates; each module offering of the semester is evaluated with it."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="questionnaires", verbose_name=_("cohort")
    )
    semester = models.PositiveSmallIntegerField(_("semester"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation questionnaire")
        verbose_name_plural = _("evaluation questionnaires")
        ordering = ("cohort", "semester")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "semester"], name="studies_questionnaire_once"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="studies_questionnaire_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} S{self.semester}"


class Question(TranslatedMixin, models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("Agreement from 1 to 5")
        TEXT = "text", _("Free text")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    text_fr = models.CharField(_("question (French)"), max_length=300)
    text_ar = models.CharField(_("question (Arabic)"), max_length=300, blank=True)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    required = models.BooleanField(_("an answer is required"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("questionnaire", "position", "pk")

    def __str__(self) -> str:
        return self.tr("text")


class EvaluationParticipation(models.Model):
    """That a student has evaluated a module (refuses a second answer) — and nothing of
    what they answered."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="participations"
    )
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("evaluation participation")
        verbose_name_plural = _("evaluation participations")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "offering", "student"],
                name="studies_evaluation_once_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}/{self.offering_id}"


class EvaluationResponse(models.Model):
    """One anonymous answer to a module's evaluation: no student, no time, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="+")
    #: False until the hourly mix (``studies.services.evaluations.responses_mix``) has rewritten
    #: the questionnaire's answers in one transaction and in a random order: until then a
    #: person reading the database itself could pair it with the participation written just
    #: before (by transaction ids or by the physical order of rows); after, nothing does.
    mixed = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")
        ordering = ("id",)  # random: says nothing of who answered first

    def __str__(self) -> str:
        return str(self.id)


class EvaluationAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        EvaluationResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    likert = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(blank=True, max_length=4000)

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="studies_answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=Q(likert__isnull=True) | (Q(likert__gte=1) & Q(likert__lte=5)),
                name="studies_answer_likert_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class HoursAlert(models.Model):
    """That the coordinators were told an agreement's partners are behind or beyond the
    co-teaching hours it promises (studies/services/hours_alerts.py): once per agreement,
    academic year and state — the unique constraint is what makes a second run send nothing."""

    class State(models.TextChoices):
        BEHIND = "behind", _("behind the promise")
        BEYOND = "beyond", _("beyond the promise")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="+")
    academic_year = models.CharField(_("academic year"), max_length=9)
    state = models.CharField(_("state"), max_length=6, choices=State.choices)
    done = models.DecimalField(_("hours done"), max_digits=8, decimal_places=2)
    promised = models.DecimalField(_("hours promised"), max_digits=8, decimal_places=2)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-teaching hours alert")
        verbose_name_plural = _("co-teaching hours alerts")
        ordering = ("-sent_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "academic_year", "state"], name="studies_hours_alert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.academic_year}:{self.state}"
