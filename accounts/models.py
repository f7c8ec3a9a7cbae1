from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager["User"]):
    """Users are found and created by e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user_by_email(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("The e-mail address must be set.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user_by_email(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user_by_email(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account: the e-mail address is the login.

    Roles other than applicant are flags set by services (a coordinator grants the
    lecturer role, an accepted offer grants the student role); see ``accounts.access``.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        help_text=_("Language of the e-mails sent to this person."),
    )
    is_student = models.BooleanField(_("student"), default=False)
    is_lecturer = models.BooleanField(_("lecturer"), default=False)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_finance = models.BooleanField(_("finance"), default=False)
    # A sponsor organisation's contact person (finance.SponsorContact names the organisation).
    is_sponsor = models.BooleanField(_("sponsor contact"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("email",)
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class RoleChange(models.Model):
    """History of role grants and revocations: who, when, before, after, why."""

    class RoleName(models.TextChoices):
        STUDENT = "student", _("Student")
        LECTURER = "lecturer", _("Lecturer")
        COORDINATOR = "coordinator", _("Coordinator")
        FINANCE = "finance", _("Finance")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_changes")
    role = models.CharField(_("role"), max_length=20, choices=RoleName.choices)
    granted = models.BooleanField(_("granted"))
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ("-changed_at", "-pk")

    def __str__(self) -> str:
        return f"{self.user} {self.role} {'+' if self.granted else '-'}"


class OutgoingEmail(models.Model):
    """An e-mail waiting for the worker, or its trace once sent.

    The row makes sending idempotent: the task claims it with a conditional update, so a
    task delivered twice sends once. Bodies and attachments are cleared after sending (they
    may carry one-time links and personal data).

    ``attachments`` is a short JSON list of ``{"name", "mimetype", "content"}`` (content in
    base64): what is attached is small (an interview's ``.ics``, a receipt) and is only ever
    read whole with its message, so it lives and is cleared with the row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    to = models.JSONField(_("recipients"))
    from_email = models.CharField(_("sender"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text body"), blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class Notification(models.Model):
    """What a person is told in the application: every status e-mail the system sends them
    and every announcement they receive, with an unread mark. ``kind`` is the family a
    person may mute by e-mail (``NotificationPreference``); the mandatory kinds (offers,
    results, payments) are always e-mailed."""

    class Kind(models.TextChoices):
        ADMISSIONS = "admissions", _("Applications and offers")
        RESULTS = "results", _("Results and juries")
        PAYMENTS = "payments", _("Fees and payments")
        DOCUMENTS = "documents", _("Certificates and documents")
        TIMETABLE = "timetable", _("Timetable changes")
        ANNOUNCEMENTS = "announcements", _("Announcements")
        ATTENDANCE = "attendance", _("Absences and justifications")
        EVALUATIONS = "evaluations", _("Module evaluations")
        ACCOUNT = "account", _("Your account")

    MANDATORY = frozenset({Kind.ADMISSIONS, Kind.RESULTS, Kind.PAYMENTS, Kind.ACCOUNT})

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True, max_length=10000)
    link = models.CharField(_("link"), max_length=500, blank=True)
    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"


class NotificationPreference(models.Model):
    """A kind of notification a person does not want by e-mail (still shown in the app)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="muted_kinds")
    kind = models.CharField(_("kind"), max_length=14, choices=Notification.Kind.choices)

    class Meta:
        verbose_name = _("muted notification kind")
        verbose_name_plural = _("muted notification kinds")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="accounts_mute_once"),
            models.CheckConstraint(
                condition=~Q(kind__in=["admissions", "results", "payments", "account"]),
                name="accounts_mandatory_kinds_not_muted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"
