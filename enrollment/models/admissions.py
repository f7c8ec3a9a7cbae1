"""Calls for applications and everything an application goes through until an offer."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedMixin
from core.uploads import get_private_storage
from enrollment.models.cohorts import Cohort
from enrollment.models.profiles import Education
from partners.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO, ONE, TWENTY = Decimal(0), Decimal(1), Decimal(20)
weight = [MinValueValidator(ZERO), MaxValueValidator(ONE)]


def weight_field(label: StrOrPromise, default: str) -> models.DecimalField:
    """A weight between 0 and 1, two decimals."""
    return models.DecimalField(
        label, max_digits=3, decimal_places=2, default=Decimal(default), validators=weight
    )


mark = [MinValueValidator(ZERO), MaxValueValidator(TWENTY)]


class Intake(TranslatedMixin, models.Model):
    """A call for applications to a cohort, with its rubric and its timetable."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="intakes", verbose_name=_("cohort")
    )
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    seats = models.PositiveSmallIntegerField(_("seats offered"), validators=[MinValueValidator(1)])
    eligibility_fr = models.TextField(_("eligibility (French)"), blank=True)
    eligibility_ar = models.TextField(_("eligibility (Arabic)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    weight_academic = weight_field(_("rubric: academic record"), "0.50")
    weight_experience = weight_field(_("rubric: experience"), "0.30")
    weight_motivation = weight_field(_("rubric: motivation and project"), "0.20")
    weight_dossier = weight_field(_("final score: weight of the file"), "0.50")
    weight_interview = weight_field(_("final score: weight of the interview"), "0.50")
    shortlist_factor = models.DecimalField(
        _("shortlist factor"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(ONE)],
        help_text=_("About this many candidates per seat are interviewed."),
    )
    offer_reply_days = models.PositiveSmallIntegerField(
        _("days to answer an offer"), default=10, validators=[MinValueValidator(1)]
    )
    replacement_days = models.PositiveSmallIntegerField(
        _("days to replace a rejected document"), default=7, validators=[MinValueValidator(1)]
    )
    retention_months = models.PositiveSmallIntegerField(
        _("months the documents of applicants not admitted are kept"), default=12
    )
    documents_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The guarded workflow (enrollment/lifecycles.py): what a decision waits for.
    reviews_required = models.PositiveSmallIntegerField(
        _("complete reviews required before a decision"),
        default=1,
        validators=[MaxValueValidator(10)],
    )
    interview_required = models.BooleanField(
        _("an interview is required before admission"), default=True
    )
    documents_accepted_required = models.BooleanField(
        _("every mandatory document must be accepted before a decision"),
        default=True,
        help_text=_("A coordinator may still decide, giving a written reason kept in the history."),
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("A reviewer sees the other reviewers' scores only after submitting theirs."),
    )
    interview_booking = models.BooleanField(
        _("applicants book an interview slot"),
        default=False,
        help_text=_("The coordination publishes slots; each shortlisted applicant books one."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("youngest age accepted"), default=20, validators=[MinValueValidator(15)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("oldest age accepted"), default=70, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ("-opens_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="enrollment_intake_closes_after_opening",
                violation_error_message=_("An intake must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.tr("title")

    def clean(self) -> None:
        errors = {}
        rubric = (self.weight_academic, self.weight_experience, self.weight_motivation)
        if None not in rubric and sum(rubric) != ONE:
            errors["weight_motivation"] = _("The three rubric weights must add up to 1.")
        final = (self.weight_dossier, self.weight_interview)
        if None not in final and sum(final) != ONE:
            errors["weight_interview"] = _(
                "The weights of the file and the interview must add up to 1."
            )
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _("The oldest age accepted must not be below the youngest.")
        if errors:
            raise ValidationError(errors)

    def is_open(self, at: object = None) -> bool:
        now = at or timezone.now()
        return bool(self.opens_at <= now < self.closes_at)  # type: ignore[operator]

    @property
    def shortlist_size(self) -> int:
        return int((self.shortlist_factor * self.seats).to_integral_value())


class DocumentRequirement(TranslatedMixin, models.Model):
    class Kind(models.TextChoices):
        CV = "cv", _("Curriculum vitae")
        DIPLOMAS = "diplomas", _("Copies of diplomas (bac, licence or engineer)")
        TRANSCRIPTS = "transcripts", _("All transcripts")
        MOTIVATION = "motivation", _("Motivation letter")
        IDENTITY = "identity", _("Identity document (ID card or passport)")
        PHOTO = "photo", _("Photograph")
        EMPLOYER_CERTIFICATE = "employer_certificate", _("Employer's work certificate")
        EMPLOYER_AUTHORISATION = (
            "employer_authorisation",
            _("Employer's authorisation or financing letter"),
        )
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        EQUIVALENCE = "equivalence", _("Equivalence of a foreign degree")
        FEE_RECEIPT = "fee_receipt", _("Proof of fee payment")
        OTHER = "other", _("Other document")

    class Accepts(models.TextChoices):
        PDF = "pdf", _("PDF")
        IMAGE = "image", _("Image (PNG, JPEG, WebP)")
        PDF_OR_IMAGE = "any", _("PDF or image")

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices)
    label_fr = models.CharField(_("label (French)"), max_length=150, blank=True)
    label_ar = models.CharField(_("label (Arabic)"), max_length=150, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=150, blank=True)
    required = models.BooleanField(_("required"), default=True)
    accepts = models.CharField(
        _("accepted files"), max_length=5, choices=Accepts.choices, default=Accepts.PDF
    )
    # At most 30 MB: a request over REQUEST_MAX_BYTES (32 MiB) is refused before it is read.
    max_size_mb = models.PositiveSmallIntegerField(
        _("size limit (MB)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ("position", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["intake", "kind"], name="enrollment_requirement_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return self.tr("label") or str(self.get_kind_display())


class Application(models.Model):
    class Financing(models.TextChoices):
        SELF = "self", _("I pay my fees myself")
        SPONSOR = "sponsor", _("My employer or an organisation pays all of them")
        SPLIT = "split", _("An organisation pays part of them, I pay the rest")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        SHORTLISTED = "shortlisted", _("Shortlisted for interview")
        INTERVIEWED = "interviewed", _("Interviewed")
        ADMITTED = "admitted", _("Admitted — offer made")
        WAITLISTED = "waitlisted", _("On the waiting list")
        REJECTED = "rejected", _("Not admitted")
        ACCEPTED = "accepted", _("Offer accepted")
        DECLINED = "declined", _("Offer declined")
        EXPIRED = "expired", _("Offer expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    number = models.CharField(_("number"), max_length=20, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, related_name="applications", verbose_name=_("intake")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    motivation = models.TextField(_("motivation"), blank=True, max_length=6000)
    project = models.TextField(_("professional project"), blank=True, max_length=6000)
    language = models.CharField(_("language of correspondence"), max_length=8, default="fr")
    # Frozen at submission: what the applicant declared, whatever the profile says later.
    snapshot = models.JSONField(_("profile at submission"), default=dict, blank=True)
    sector = models.CharField(
        _("sector"), max_length=20, blank=True, db_index=True, choices=Organisation.Sector.choices
    )
    degree = models.CharField(
        _("highest degree"), max_length=12, blank=True, choices=Education.Degree.choices
    )
    wilaya = models.CharField(_("wilaya"), max_length=60, blank=True)
    full_name = models.CharField(_("name"), max_length=260, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    dossier_score = models.DecimalField(
        _("file score"), max_digits=4, decimal_places=2, null=True, blank=True, validators=mark
    )
    interview_score = models.DecimalField(
        _("interview mark"), max_digits=4, decimal_places=2, null=True, blank=True, validators=mark
    )
    final_score = models.DecimalField(
        _("final score"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark,
        db_index=True,
    )
    waitlist_rank = models.PositiveIntegerField(
        _("rank on the waiting list"), null=True, blank=True
    )
    # How the fees will be paid, declared by the applicant (the financing letter as data);
    # finance confirms it once the applicant is a student.
    financing = models.CharField(
        _("who pays the fees"), max_length=10, choices=Financing.choices, blank=True
    )
    sponsor_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declared_sponsorships",
        verbose_name=_("sponsor organisation"),
    )
    sponsor_name = models.CharField(_("sponsor (if not in the list)"), max_length=200, blank=True)
    sponsor_share = models.DecimalField(
        _("share paid by the sponsor (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    sponsor_consent = models.BooleanField(
        _("the sponsor may see my attendance and published results"), default=False
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Review", related_name="assigned_applications", blank=True
    )
    # The printable summary of what was submitted, rendered by Celery after submission.
    receipt = models.FileField(
        storage=get_private_storage, upload_to="receipts/", max_length=200, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "intake"],
                name="enrollment_one_application_per_intake",
                violation_error_message=_("You have already applied to this intake."),
            ),
        ]
        indexes = [
            models.Index(fields=["intake", "status"]),
            models.Index(fields=["intake", "-final_score"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ApplicationEvent(models.Model):
    """The history of an application: every status change, score, decision, document review."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status")
        DOCUMENT = "document", _("Document")
        REVIEW = "review", _("Review")
        INTERVIEW = "interview", _("Interview")
        DECISION = "decision", _("Decision")
        OFFER = "offer", _("Offer")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.CharField(max_length=40, blank=True)
    after = models.CharField(max_length=40, blank=True)
    # What the system says is stored as a code and its parameters, rendered in the reader's
    # language at display time (enrollment/history.py); ``note`` is only what a person wrote.
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application history")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.application} {self.before}→{self.after}"

    @property
    def after_label(self) -> str:
        for choices in (Application.Status, ApplicationDocument.Status):
            if self.after in choices.values:
                return str(choices(self.after).label)
        return {"deleted": str(_("deleted"))}.get(self.after, self.after)


class ApplicationDocument(models.Model):
    class Status(models.TextChoices):
        PROVIDED = "provided", _("Provided")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        DocumentRequirement, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(storage=get_private_storage, upload_to="applications/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=130)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=60)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROVIDED
    )
    rejection_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    replace_until = models.DateTimeField(_("replace before"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ("requirement__position", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"],
                name="enrollment_one_document_per_requirement",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Review(models.Model):
    """A reviewer assigned to an application, and the scores they give on the rubric."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    academic = models.DecimalField(
        _("academic record /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark,
    )
    experience = models.DecimalField(
        _("experience /20"), max_digits=4, decimal_places=2, null=True, blank=True, validators=mark
    )
    motivation = models.DecimalField(
        _("motivation and project /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark,
    )
    comment = models.TextField(_("comment"), blank=True, max_length=3000)
    conflict_of_interest = models.BooleanField(_("I have a conflict of interest"), default=False)
    scored_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ("assigned_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                name="enrollment_one_review_per_reviewer",
                violation_error_message=_("This reviewer is already assigned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} – {self.reviewer}"

    @property
    def is_complete(self) -> bool:
        return not self.conflict_of_interest and None not in (
            self.academic,
            self.experience,
            self.motivation,
        )


class Interview(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="interview"
    )
    scheduled_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("video link"), blank=True)
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="interview_panels", verbose_name=_("panel")
    )
    mark = models.DecimalField(
        _("interview mark /20"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=mark,
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    # The iCalendar SEQUENCE: raised each time the interview moves, so calendars update it.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ("scheduled_at",)

    def __str__(self) -> str:
        return f"{self.application} @ {self.scheduled_at:%Y-%m-%d %H:%M}"


class Offer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="offer")
    made_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(_("answer before"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ("deadline",)

    def __str__(self) -> str:
        return f"{self.application} ({self.status})"


class InterviewSlot(models.Model):
    """A time the coordination offers for interviews; a shortlisted applicant books one."""

    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="interview_slots", verbose_name=_("intake")
    )
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("video link"), blank=True)
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("panel")
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interview_slot",
        verbose_name=_("booked by"),
    )
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interview slot")
        verbose_name_plural = _("interview slots")
        ordering = ("starts_at", "pk")

    def __str__(self) -> str:
        return f"{self.intake} @ {self.starts_at:%Y-%m-%d %H:%M}"


class ReminderSent(models.Model):
    """A reminder e-mailed once: (application, kind, key) is unique, so a periodic task that
    runs twice, or two workers at once, send it once. ``key`` names what it is about (a
    deadline, a document), so a new deadline is reminded again."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=80, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "key"], name="enrollment_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.kind} {self.key}"
