"""Absence justifications (#14): a student justifies one of their own absences, with a
reason and optionally a supporting document (a PDF or an image, checked by its content and
kept in private storage), until the end of the ``Programme.justification_days``-th day
after the session (on the clock of Algiers). One justification per absence: a second while
one waits is refused, and a refusal is final — the row keeps who refused it and why, which
a new submission would overwrite (the model holds one justification per attendance).

The coordinators accept it (the attendance becomes "justified" in the same transaction) or
refuse it with a reason; the student is told by e-mail in their language (kind
``attendance``, so it also appears in their notifications).

Locks, in this order: the attendance row, then its justification (each of its own row).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.emails import absolute_url, email_compose
from accounts.models import Notification, User
from accounts.services import email_queue
from core.uploads import check_image, check_pdf, private_storage, random_name
from enrollment.locks import SELF
from studies.models import AbsenceJustification, Attendance

FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_FOLDER = "justifications"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}


# --- The deadline ------------------------------------------------------------------------------
def justification_deadline(attendance: Attendance) -> dt.datetime:
    """The first moment a justification is too late: midnight (Algiers) after the
    ``justification_days``-th day following the session's day."""
    days = attendance.student.cohort.programme.justification_days
    day = timezone.localtime(attendance.session.starts_at).date() + dt.timedelta(days=days + 1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def last_day(attendance: Attendance) -> dt.date:
    """The last day a justification is accepted (what the pages show)."""
    return timezone.localtime(justification_deadline(attendance)).date() - dt.timedelta(days=1)


def may_justify(attendance: Attendance, *, now: dt.datetime | None = None) -> bool:
    """An absence without a justification, before its deadline (the pages' "justify" link)."""
    if attendance.status != Attendance.Status.ABSENT:
        return False
    if _justification_of(attendance) is not None:
        return False
    return (now or timezone.now()) < justification_deadline(attendance)


def _justification_of(attendance: Attendance) -> AbsenceJustification | None:
    try:
        return attendance.justification
    except AbsenceJustification.DoesNotExist:
        return None


# --- The supporting document -------------------------------------------------------------------
def file_check(upload: UploadedFile) -> str:
    """The extension of an allowed document (a PDF or an image), judged by its content; a
    ValidationError on the ``file`` field otherwise."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.lstrip().startswith(b"%PDF-"):
            check_pdf(upload, max_bytes=FILE_MAX_BYTES)
            return "pdf"
        try:
            return check_image(upload, max_bytes=FILE_MAX_BYTES)
        except ValidationError as exc:
            if exc.code != "not_image":
                raise
            raise ValidationError(
                _("The supporting document must be a PDF or an image (PNG, JPEG, WebP)."),
                code="justification_file_type",
            ) from exc
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc


def content_type(justification: AbsenceJustification) -> str:
    extension = (justification.file.name or "").rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")


# --- Submitting ------------------------------------------------------------------------------
def justification_submit(
    *,
    user: User,
    attendance: Attendance,
    reason: str,
    upload: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> AbsenceJustification:
    """Justify one of ``user``'s own absences (PermissionDenied for anyone else's). Refused
    with a ValidationError, storing nothing: not an absence, after the deadline, or already
    justified (waiting, accepted or refused)."""
    if attendance.student.user_id != user.pk:
        raise PermissionDenied
    extension = file_check(upload) if upload is not None else ""
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            locked = (
                Attendance.objects.select_for_update(of=SELF)
                .select_related("session", "student__cohort__programme")
                .get(pk=attendance.pk)
            )
            _check_submission(locked, now=now or timezone.now())
            justification = AbsenceJustification(attendance=locked, reason=reason.strip())
            if upload is not None:
                stored = private_storage.save(random_name(FILE_FOLDER, extension), upload)
                justification.file.name = stored
            justification.full_clean(exclude=["attendance"])
            try:
                with transaction.atomic():
                    justification.save()
            except IntegrityError as exc:  # one per attendance (the lock makes it rare)
                raise ValidationError(_("This absence has already been justified.")) from exc
        saved = True
    finally:
        if stored and not saved:
            private_storage.delete(stored)
    return justification


def _check_submission(attendance: Attendance, *, now: dt.datetime) -> None:
    existing = AbsenceJustification.objects.filter(attendance=attendance).first()
    if existing is not None:
        if existing.status == AbsenceJustification.Status.PENDING:
            raise ValidationError(
                _("A justification of this absence is already waiting for a decision.")
            )
        if existing.status == AbsenceJustification.Status.REFUSED:
            raise ValidationError(
                _(
                    "The justification of this absence was refused; that decision is final. "
                    "Write to the coordination if something is wrong."
                )
            )
        raise ValidationError(_("This absence has already been justified."))
    if attendance.status != Attendance.Status.ABSENT:
        raise ValidationError(_("Only an absence can be justified."))
    if now >= justification_deadline(attendance):
        raise ValidationError(
            _(
                "The time to justify this absence is over: it could be justified until "
                "%(day)s (%(days)s days after the session)."
            )
            % {
                "day": formats.date_format(last_day(attendance), "DATE_FORMAT"),
                "days": attendance.student.cohort.programme.justification_days,
            }
        )


# --- Deciding ------------------------------------------------------------------------------
def justification_accept(
    *, actor: User, justification: AbsenceJustification
) -> AbsenceJustification:
    """Accept a waiting justification: the attendance becomes "justified" in the same
    transaction; the student is e-mailed."""
    return _decide(actor=actor, justification=justification, accept=True, refusal_reason="")


def justification_refuse(
    *, actor: User, justification: AbsenceJustification, reason: str
) -> AbsenceJustification:
    """Refuse a waiting justification with a reason (required), e-mailed to the student; the
    absence stays an absence."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"refusal_reason": _("Say why the justification is refused.")})
    return _decide(actor=actor, justification=justification, accept=False, refusal_reason=reason)


def _decide(
    *, actor: User, justification: AbsenceJustification, accept: bool, refusal_reason: str
) -> AbsenceJustification:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update(of=SELF).get(
            pk=justification.attendance_id
        )
        locked = (
            AbsenceJustification.objects.select_for_update(of=SELF)
            .select_related("attendance__session__offering__module", "attendance__student__user")
            .get(pk=justification.pk)
        )
        if locked.status != AbsenceJustification.Status.PENDING:
            raise ValidationError(_("This justification has already been decided."))
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        if accept:
            locked.status = AbsenceJustification.Status.ACCEPTED
            if attendance.status == Attendance.Status.ABSENT:
                attendance.status = Attendance.Status.JUSTIFIED
                attendance.save(update_fields=["status"])
        else:
            locked.status = AbsenceJustification.Status.REFUSED
            locked.refusal_reason = refusal_reason
        locked.full_clean(exclude=["attendance"])
        locked.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        _email_decision(locked)
    return locked


def _email_decision(justification: AbsenceJustification) -> None:
    """Tell the student in their language (stored now, sent once the transaction commits)."""
    attendance = justification.attendance
    user = attendance.student.user
    session = attendance.session
    accepted = justification.status == AbsenceJustification.Status.ACCEPTED
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "justification": justification,
            "module": session.offering.module,
            "day": formats.date_format(timezone.localtime(session.starts_at), "DATE_FORMAT"),
        }
        if accepted:
            subject = _("Your absence of %(day)s is justified") % {"day": context["day"]}
            content = render_to_string("studies/email/justification_accepted.txt", context)
        else:
            subject = _("Your justification of the absence of %(day)s was refused") % {
                "day": context["day"]
            }
            content = render_to_string("studies/email/justification_refused.txt", context)
        message = email_compose(
            to=[user.email],
            subject=subject,
            content=content,
            name=user.get_full_name(),
            link_url=absolute_url(reverse("studies:my_absences")),
            link_label=_("See my absences"),
            reply_to=[settings.COORDINATION_EMAIL],
        )
    email_queue(message, kind=Notification.Kind.ATTENDANCE)
