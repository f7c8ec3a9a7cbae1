"""Fees, invoices, credit notes and payments, in dinars (DZD, two decimals, ``Decimal``).

An invoice and its lines are never changed once issued: a correction is a credit note.
What is left to pay on a line is its amount minus its allocations (payments and credit
notes alike), so one database sum says whether a line was paid twice. Balances are
computed in ``finance.selectors`` only.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.translated import TranslatedMixin
from core.uploads import get_private_storage
from enrollment.models import Application, Cohort, Student
from partners.models import Organisation

ZERO = Decimal("0.00")


def _positive(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__gt": 0}), name=name)


def _one_payer(name: str) -> models.CheckConstraint:
    """Exactly one payer: a student, an organisation, or (for an application fee) an
    application whose applicant is not a student yet."""
    student, organisation, application = (
        Q(payer_student__isnull=False),
        Q(payer_organisation__isnull=False),
        Q(payer_application__isnull=False),
    )
    return models.CheckConstraint(
        condition=(student & ~organisation & ~application)
        | (~student & organisation & ~application)
        | (~student & ~organisation & application),
        name=name,
    )


class FeeSchedule(models.Model):
    """What a cohort costs: an optional application fee, an optional deposit confirming an
    accepted offer (paid within ``deposit_days``), tuition per academic year."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.PROTECT, related_name="fee_schedule", verbose_name=_("cohort")
    )
    application_fee = models.DecimalField(
        _("application fee"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    deposit = models.DecimalField(
        _("deposit"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    deposit_days = models.PositiveSmallIntegerField(
        _("days to pay the deposit"), null=True, blank=True
    )
    tuition_per_year = models.DecimalField(
        _("tuition per academic year"), max_digits=12, decimal_places=2
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        constraints = [
            _positive("tuition_per_year", "finance_schedule_tuition_positive"),
            models.CheckConstraint(
                condition=Q(application_fee__isnull=True) | Q(application_fee__gt=0),
                name="finance_schedule_fee_positive",
            ),
            models.CheckConstraint(
                condition=(Q(deposit__isnull=True) & Q(deposit_days__isnull=True))
                | (Q(deposit__gt=0) & Q(deposit_days__gt=0)),
                name="finance_schedule_deposit_with_deadline",
            ),
        ]

    def __str__(self) -> str:
        return str(self.cohort)


class Instalment(TranslatedMixin, models.Model):
    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="instalments")
    year = models.PositiveSmallIntegerField(_("academic year"))
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_ar = models.CharField(_("label (Arabic)"), max_length=120, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("due date"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ("schedule", "year", "position")
        constraints = [
            _positive("amount", "finance_instalment_amount_positive"),
            models.CheckConstraint(condition=Q(year__gte=1), name="finance_instalment_year"),
            models.UniqueConstraint(
                fields=["schedule", "year", "position"], name="finance_instalment_position"
            ),
        ]

    def __str__(self) -> str:
        return self.tr("label")


class Sponsorship(models.Model):
    """Part of a student's fees paid by an organisation; the student pays the rest. Only
    a share confirmed by finance is invoiced to the organisation."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="sponsorships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sponsorships"
    )
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The participant's consent, given at application: the sponsor's statement may show
    # their attendance and published results.
    shares_progress = models.BooleanField(
        _("the sponsor may see attendance and published results"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=100), name="finance_sponsorship_share"
            ),
            models.UniqueConstraint(
                fields=["student", "organisation"], name="finance_sponsorship_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.organisation} {self.share}%"


class Adjustment(models.Model):
    """A discount, scholarship or waiver on one instalment of one student, before it is
    invoiced: an amount or a percentage of the instalment."""

    class Kind(models.TextChoices):
        DISCOUNT = "discount", _("Discount")
        SCHOLARSHIP = "scholarship", _("Scholarship")
        WAIVER = "waiver", _("Waiver")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="adjustments")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    percent = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    approver_name = models.CharField(_("approved by (name)"), max_length=150)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount__gt=0) & Q(percent__isnull=True))
                | (Q(amount__isnull=True) & Q(percent__gt=0) & Q(percent__lte=100)),
                name="finance_adjustment_amount_or_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount or self.percent}"


class Invoice(models.Model):
    """Issued to a student or to an organisation (which may group several students of the
    same cohort); numbered FAC-YYYY-NNNN from the never-reused counter."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="invoices")
    payer_student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    payer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    payer_application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ("issued_at", "pk")
        constraints = [_one_payer("finance_invoice_one_payer")]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """What one invoice charges for one student (or applicant): their share of an
    instalment, the deposit confirming their offer, or the application fee. ``sponsor`` is
    set on an organisation's share, so that each share is invoiced once (the unique
    constraints). ``due_on`` is the instalment's due date, the deposit's deadline, or the
    application fee's."""

    class Kind(models.TextChoices):
        INSTALMENT = "instalment", _("Instalment")
        DEPOSIT = "deposit", _("Deposit")
        APPLICATION_FEE = "application_fee", _("Application fee")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INSTALMENT)
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    sponsor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    label = models.CharField(_("label"), max_length=250)
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ("invoice", "pk")
        constraints = [
            _positive("amount", "finance_line_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(kind="instalment")
                    & Q(student__isnull=False)
                    & Q(instalment__isnull=False)
                    & Q(application__isnull=True)
                )
                | (
                    Q(kind="deposit")
                    & Q(student__isnull=False)
                    & Q(instalment__isnull=True)
                    & Q(sponsor__isnull=True)
                    & Q(application__isnull=True)
                )
                | (
                    Q(kind="application_fee")
                    & Q(application__isnull=False)
                    & Q(student__isnull=True)
                    & Q(instalment__isnull=True)
                    & Q(sponsor__isnull=True)
                ),
                name="finance_line_kind_fields",
            ),
            models.UniqueConstraint(
                fields=["student", "instalment"],
                condition=Q(sponsor__isnull=True, kind="instalment"),
                name="finance_line_student_share_once",
            ),
            models.UniqueConstraint(
                fields=["student", "instalment", "sponsor"],
                condition=Q(sponsor__isnull=False, kind="instalment"),
                name="finance_line_sponsor_share_once",
            ),
            models.UniqueConstraint(
                fields=["student"], condition=Q(kind="deposit"), name="finance_line_deposit_once"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="application_fee"),
                name="finance_line_application_fee_once",
            ),
        ]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.label}"


class CreditNote(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ("issued_at", "pk")
        constraints = [_positive("amount", "finance_credit_amount_positive")]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """Money received from a payer. A payment is a duplicate of another when it has the same
    payer, the same (normalised, non-empty) reference and the same amount."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CCP = "ccp", _("CCP")
        CHEQUE = "cheque", _("Cheque")
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")

    payer_student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    payer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    payer_application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    paid_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    proof = models.FileField(
        _("proof"),
        storage=get_private_storage,
        upload_to="payments/",
        max_length=200,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ("paid_on", "pk")
        constraints = [
            _one_payer("finance_payment_one_payer"),
            _positive("amount", "finance_payment_amount_positive"),
            models.UniqueConstraint(
                fields=["payer_student", "reference", "amount"],
                condition=Q(payer_student__isnull=False) & ~Q(reference=""),
                name="finance_payment_student_once",
            ),
            models.UniqueConstraint(
                fields=["payer_organisation", "reference", "amount"],
                condition=Q(payer_organisation__isnull=False) & ~Q(reference=""),
                name="finance_payment_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["payer_application", "reference", "amount"],
                condition=Q(payer_application__isnull=False) & ~Q(reference=""),
                name="finance_payment_application_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.amount}"


class Allocation(models.Model):
    """Part of a payment, or of a credit note, applied to one invoice line."""

    line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            _positive("amount", "finance_allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="finance_allocation_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.amount}"


class MoneyEvent(models.Model):
    """Every money change: who, when, what kind, before, after and why."""

    class Kind(models.TextChoices):
        SCHEDULE = "schedule", _("Fee schedule set")
        INSTALMENTS = "instalments", _("Instalment plan set")
        SPONSORSHIP = "sponsorship", _("Sponsorship confirmed")
        ADJUSTMENT = "adjustment", _("Adjustment granted")
        INVOICE = "invoice", _("Invoice issued")
        CREDIT_NOTE = "credit_note", _("Credit note issued")
        PAYMENT = "payment", _("Payment recorded")
        STATEMENT = "statement", _("Bank statement imported")
        SEAT_RELEASED = "seat_released", _("Seat released: deposit unpaid")
        SPONSOR_CONTACT = "contact", _("Sponsor contact set")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    why = models.TextField(_("why"), blank=True)
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )

    class Meta:
        verbose_name = _("money event")
        verbose_name_plural = _("money events")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class SponsorContact(models.Model):
    """The person at a sponsor organisation who receives its invoices, reminders and
    statements, in their language; given an account (``user``), they see only their
    organisation's statement."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="finance_contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(
        _("language of correspondence"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsor_contact",
        verbose_name=_("account"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sponsor contact")
        verbose_name_plural = _("sponsor contacts")
        ordering = ("organisation", "name")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "email"], name="finance_contact_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class FinanceDocument(models.Model):
    """A PDF rendered by Celery: an invoice, a credit note, a payment's receipt, or a
    sponsor's statement for a cohort. The row exists from the request; ``file`` is set when
    the rendering is complete (written under a temporary name, then moved into place)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")
        RECEIPT = "receipt", _("Receipt")
        STATEMENT = "statement", _("Sponsor statement")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    credit_note = models.OneToOneField(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="receipt"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(
        storage=get_private_storage, upload_to="finance/", max_length=200, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("finance document")
        verbose_name_plural = _("finance documents")
        ordering = ("-created_at", "pk")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="invoice")
                    & Q(invoice__isnull=False)
                    & Q(credit_note__isnull=True)
                    & Q(payment__isnull=True)
                    & Q(organisation__isnull=True)
                )
                | (
                    Q(kind="credit_note")
                    & Q(invoice__isnull=True)
                    & Q(credit_note__isnull=False)
                    & Q(payment__isnull=True)
                    & Q(organisation__isnull=True)
                )
                | (
                    Q(kind="receipt")
                    & Q(invoice__isnull=True)
                    & Q(credit_note__isnull=True)
                    & Q(payment__isnull=False)
                    & Q(organisation__isnull=True)
                )
                | (
                    Q(kind="statement")
                    & Q(invoice__isnull=True)
                    & Q(credit_note__isnull=True)
                    & Q(payment__isnull=True)
                    & Q(organisation__isnull=False)
                    & Q(cohort__isnull=False)
                ),
                name="finance_document_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class StatementImport(models.Model):
    """A bank or CCP statement uploaded by finance: kept (private), previewed, and recorded
    line by line only when confirmed."""

    file = models.FileField(
        _("statement"), storage=get_private_storage, upload_to="statements/", max_length=200
    )
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A large statement is recorded by the worker (finance.services.statements,
    # ``statement_confirm_start``): who asked, when, with which method, and why it failed.
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    failure = models.TextField(_("why it was not recorded"), blank=True)

    class Meta:
        verbose_name = _("statement import")
        verbose_name_plural = _("statement imports")
        ordering = ("-uploaded_at", "pk")

    def __str__(self) -> str:
        return self.filename

    @property
    def recording(self) -> bool:
        """Queued for the worker, not recorded yet and not failed."""
        return self.queued_at is not None and self.confirmed_at is None and not self.failure


class StatementLine(models.Model):
    """A statement line that was recorded as a payment. ``fingerprint`` (date, amount,
    normalised reference and payer) is unique: a line imported twice is recorded once."""

    statement = models.ForeignKey(StatementImport, on_delete=models.PROTECT, related_name="lines")
    row = models.PositiveIntegerField(_("row"))
    booked_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64, unique=True)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="statement_line")

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ("statement", "row")

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.row}"


class PaymentReminder(models.Model):
    """A reminder e-mailed about an invoice, ``days`` before (negative) or after its earliest
    open due date; kept so that each is sent once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    days = models.SmallIntegerField(_("days after the due date"))
    due_on = models.DateField(_("due on"))
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ("-sent_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "due_on", "days"], name="finance_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.days:+d}"
