"""Certificates: what was issued to whom, the exact bytes (by hash), and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.uploads import get_private_storage
from curriculum.models import Module
from enrollment.models import Cohort, Student
from studies.models import Jury


class Kind(models.TextChoices):
    ENROLLMENT = "enrollment", _("Enrollment attestation")
    TRANSCRIPT = "transcript", _("Semester transcript")
    CUMULATIVE = "cumulative-transcript", _("Cumulative transcript")
    SUCCESS = "success", _("Provisional success attestation")
    MODULE = "module", _("Module certificate")
    JURY_RECORD = "jury-record", _("Jury record (PV de délibération)")


class Edition(models.TextChoices):
    """The languages a document is printed in: French and Arabic (the default), or English
    and French (a copy for abroad, of the kinds in ``ENGLISH_KINDS``)."""

    FR = "fr", _("French and Arabic")
    EN = "en", _("English and French")


#: The documents that also exist in an English and French edition.
ENGLISH_KINDS = (Kind.ENROLLMENT, Kind.TRANSCRIPT, Kind.CUMULATIVE, Kind.SUCCESS, Kind.MODULE)

#: The longest a name may be to fit its line of a document (signatories, identities).
PRINTED_NAME_MAX = 100


class IssuingAuthority(models.Model):
    """Who issues the documents, as their header prints it (academic-rules.md §0, §3): the
    establishment, the text it is approved under, its address and logo. One is active; each
    document copies it into its snapshot when issued, so a later edit changes no document."""

    name_fr = models.CharField(_("name (French)"), max_length=250)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    legal_basis_fr = models.TextField(
        _("legal basis (French)"),
        blank=True,
        help_text=_("The decree or approval the establishment issues its documents under."),
    )
    legal_basis_ar = models.TextField(_("legal basis (Arabic)"), blank=True)
    address_fr = models.CharField(_("address (French)"), max_length=300, blank=True)
    address_ar = models.CharField(_("address (Arabic)"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    #: On the default (public) storage: a logo is printed on public documents anyway.
    logo = models.ImageField(_("logo"), upload_to="issuer/", blank=True, max_length=200)
    active = models.BooleanField(_("active"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("issuing authority")
        verbose_name_plural = _("issuing authorities")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="certificates_one_active_issuer"
            ),
        ]

    def __str__(self) -> str:
        return self.name_fr


class Signatory(models.Model):
    """Who signs one kind of document, in which order. Versioned: a change retires the row
    and adds a new one (``replaces``), so the history shows who signed when; the documents
    already issued keep the names they were issued with (copied into their snapshot)."""

    authority = models.ForeignKey(
        IssuingAuthority, on_delete=models.PROTECT, related_name="signatories"
    )
    kind = models.CharField(_("document"), max_length=24, choices=Kind.choices)
    name_fr = models.CharField(_("name (Latin script)"), max_length=PRINTED_NAME_MAX)
    name_ar = models.CharField(_("name (Arabic script)"), max_length=PRINTED_NAME_MAX)
    title_fr = models.CharField(_("title (French)"), max_length=PRINTED_NAME_MAX)
    title_ar = models.CharField(_("title (Arabic)"), max_length=PRINTED_NAME_MAX)
    title_en = models.CharField(_("title (English)"), max_length=PRINTED_NAME_MAX)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    active_from = models.DateField(_("signs from"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ("kind", "order", "pk")
        indexes = [models.Index(fields=["authority", "kind", "retired_at"])]

    def __str__(self) -> str:
        return f"{self.name_fr} — {self.title_fr}"


class Batch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificate_batches")
    kind = models.CharField(_("document"), max_length=24, choices=Kind.choices)
    semester = models.PositiveSmallIntegerField(_("semester"), null=True, blank=True)
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    jury = models.ForeignKey(
        Jury, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    edition = models.CharField(
        _("language of the document"), max_length=2, choices=Edition.choices, default=Edition.FR
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("batch of certificates")
        verbose_name_plural = _("batches of certificates")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.cohort}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    kind = models.CharField(_("document"), max_length=24, choices=Kind.choices)
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    holder = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificates")
    semester = models.PositiveSmallIntegerField(_("semester"), null=True, blank=True)
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    jury = models.ForeignKey(
        Jury, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="certificates"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    edition = models.CharField(
        _("language of the document"), max_length=2, choices=Edition.choices, default=Edition.FR
    )
    snapshot = models.JSONField(_("data printed"), default=dict)
    template_version = models.CharField(max_length=20, default="1")
    pdf = models.FileField(
        storage=get_private_storage, upload_to="certificates/", blank=True, max_length=200
    )
    sha256 = models.CharField(max_length=64, blank=True)
    #: The electronic signature (core/signing.py): the signing certificate's subject (common
    #: name, organisation) and when; empty for documents issued before signatures.
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: The worker process rendering it (core/workers.py): a claim whose process is dead is
    #: taken over at once.
    claimed_by = models.CharField(max_length=200, blank=True)
    #: When the broker last accepted a task for it; empty while the broker was unreachable.
    queued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ("-issued_at", "-pk")
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    @property
    def filename(self) -> str:
        holder = self.snapshot.get("holder", {}).get("registration_number", "")
        return f"{self.kind}-{holder}-{self.code}.pdf".replace("--", "-")
