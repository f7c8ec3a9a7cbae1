"""Certificates: what was issued to whom, the exact bytes (by hash), and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
    snapshot = models.JSONField(_("data printed"), default=dict)
    template_version = models.CharField(max_length=20, default="1")
    pdf = models.FileField(
        storage=get_private_storage, upload_to="certificates/", blank=True, max_length=200
    )
    sha256 = models.CharField(max_length=64, blank=True)
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
