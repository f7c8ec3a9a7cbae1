"""Announcements (#14): a coordinator writes to a cohort, one of its groups or the students
of one of its modules; a lecturer, to the students of a module they teach. The message is
stored; every active student of the audience gets a notification (kind ``announcements``)
and, unless they turned those e-mails off, an e-mail in their own language — the greeting,
the "message from …" line and the footer translated, the author's text as written.

Sending to a cohort of a thousand makes the same few queries as sending to three
(``accounts.notifications.notify_all``: the notifications and e-mails are stored in bulk).

An attachment is checked by its content (``core.uploads``): a PDF without active content,
an image (PNG, JPEG, WebP) or an office document (Word, Excel, PowerPoint — .docx, .xlsx,
.pptx — or OpenDocument .odt, .ods, .odp, without macros), at most ``ATTACHMENT_MAX_BYTES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.emails import absolute_url, email_compose
from accounts.models import Notification, User
from accounts.notifications import Draft, notify_all
from core.uploads import (
    OFFICE_CONTENT_TYPES,
    check_document,
    private_storage,
    random_name,
    safe_filename,
)
from enrollment.models import Cohort, Student
from studies.models import Announcement, Offering

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_FOLDER = "announcements"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    **OFFICE_CONTENT_TYPES,
}
_STAGED_SALT = "studies.announcement.attachment"
#: How long a checked attachment waits for its announcement to be confirmed.
STAGED_MAX_AGE = 24 * 3600


def may_announce(user: User, offering: Offering | None = None) -> bool:
    """A coordinator, to anyone; a lecturer, to the students of an offering they teach."""
    if has_role(user, Role.COORDINATOR):
        return True
    return (
        offering is not None
        and has_role(user, Role.LECTURER)
        and offering.lecturers.filter(pk=user.pk).exists()
    )


def audience(
    *, cohort: Cohort, group: str = "", offering: Offering | None = None
) -> QuerySet[Student]:
    """The students an announcement reaches: the active students of the cohort (an offering's
    students are its cohort's), of the group when one is named."""
    students = Student.objects.filter(cohort=cohort, status=Student.Status.ACTIVE)
    if group:
        students = students.filter(group=group)
    return students.select_related("user").order_by("registration_number")


def audience_label(announcement: Announcement) -> str:
    """Who it was written to, in the active language."""
    if announcement.offering is not None:
        return _("students of %(module)s, %(cohort)s") % {
            "module": announcement.offering.module,
            "cohort": announcement.cohort,
        }
    if announcement.group:
        return _("%(cohort)s, group %(group)s") % {
            "cohort": announcement.cohort,
            "group": announcement.group,
        }
    return str(announcement.cohort)


# --- The attachment ------------------------------------------------------------------------------
def attachment_check(upload: UploadedFile) -> str:
    """The extension of an allowed attachment, judged by its content; a ValidationError on
    the ``attachment`` field otherwise."""
    refused = ValidationError(
        _(
            "This type of file cannot be attached: a PDF, an image (PNG, JPEG, WebP) "
            "or an office document (Word, Excel, PowerPoint, OpenDocument) can."
        ),
        code="attachment_type",
    )
    try:
        return check_document(upload, max_bytes=ATTACHMENT_MAX_BYTES, refused=refused)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc


@dataclass(frozen=True)
class StagedAttachment:
    """A checked attachment already in private storage, waiting for the confirmation."""

    name: str
    original: str


def attachment_stage(*, actor: User, upload: UploadedFile) -> tuple[StagedAttachment, str]:
    """Check and store an attachment before the confirmation page; returns it and a signed
    token the confirmation posts back (only its author may use it). A staged file whose
    announcement is never sent is removed by the files sweep (``core.tasks.sweep_files``)."""
    extension = attachment_check(upload)
    name = private_storage.save(random_name(ATTACHMENT_FOLDER, extension), upload)
    staged = StagedAttachment(name=name, original=safe_filename(upload.name or f"file.{extension}"))
    token = signing.dumps(
        {"name": staged.name, "original": staged.original, "by": actor.pk}, salt=_STAGED_SALT
    )
    return staged, token


def attachment_unstage(*, actor: User, token: str) -> StagedAttachment:
    try:
        data = signing.loads(token, salt=_STAGED_SALT, max_age=STAGED_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(
            {"attachment": _("The attachment has expired: choose the file again.")}
        ) from exc
    name = str(data.get("name", ""))
    if (
        data.get("by") != actor.pk
        or not name.startswith(f"{ATTACHMENT_FOLDER}/")
        or not private_storage.exists(name)
    ):
        raise ValidationError(
            {"attachment": _("The attachment has expired: choose the file again.")}
        )
    return StagedAttachment(name=name, original=str(data.get("original", "")) or "file")


# --- Sending ---------------------------------------------------------------------------------
def announcement_check(
    *, actor: User, cohort: Cohort | None, group: str = "", offering: Offering | None = None
) -> tuple[Cohort, list[Student]]:
    """Who may write to whom, and who would receive it (a ValidationError on the field
    concerned when nobody would): the cohort and the students of the audience."""
    if not may_announce(actor, offering):
        raise PermissionDenied
    group = group.strip()
    if offering is not None:
        if cohort is not None and offering.cohort_id != cohort.pk:
            raise ValidationError({"offering": _("This module is not taught to this cohort.")})
        cohort = offering.cohort
        if group:
            raise ValidationError(
                {"group": _("Write to a group or to a module's students, not both.")}
            )
    if cohort is None:
        raise ValidationError({"cohort": _("Choose the cohort to write to.")})
    students = list(audience(cohort=cohort, group=group, offering=offering))
    if not students:
        if group:
            raise ValidationError(
                {
                    "group": _("No active student of this cohort is in group %(group)s.")
                    % {"group": group}
                }
            )
        raise ValidationError({"cohort": _("This cohort has no active student to write to.")})
    return cohort, students


def announcement_send(
    *,
    actor: User,
    subject: str,
    body: str,
    cohort: Cohort | None = None,
    group: str = "",
    offering: Offering | None = None,
    attachment: UploadedFile | None = None,
    staged: StagedAttachment | None = None,
) -> Announcement:
    """Store the announcement, notify its audience and e-mail them (after commit). The
    attachment is an upload (checked here) or one staged before the confirmation."""
    cohort, students = announcement_check(
        actor=actor, cohort=cohort, group=group, offering=offering
    )
    if attachment is not None:
        extension = attachment_check(attachment)
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            announcement = Announcement(
                author=actor,
                cohort=cohort,
                group=group.strip(),
                offering=offering,
                subject=subject.strip(),
                body=body.strip(),
            )
            if attachment is not None:
                stored = private_storage.save(random_name(ATTACHMENT_FOLDER, extension), attachment)
                announcement.attachment.name = stored
                announcement.attachment_name = safe_filename(attachment.name or f"file.{extension}")
            elif staged is not None:
                announcement.attachment.name = staged.name
                announcement.attachment_name = staged.original
            announcement.full_clean()
            announcement.save()
            _notify(announcement, actor=actor, students=students)
        saved = True
    finally:
        if stored and not saved:
            private_storage.delete(stored)
    return announcement


def _notify(announcement: Announcement, *, actor: User, students: list[Student]) -> None:
    path = reverse("studies:my_announcements") + f"#announcement-{announcement.pk}"
    author = actor.get_full_name() or actor.email
    drafts = []
    for student in students:
        user = student.user
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            lines = [
                _("A message from %(author)s to %(audience)s:")
                % {"author": author, "audience": audience_label(announcement)},
                announcement.body,
            ]
            if announcement.attachment:
                lines.append(
                    _("A file comes with it (%(name)s): download it from the announcement.")
                    % {"name": announcement.attachment_name}
                )
            message = email_compose(
                to=[user.email],
                subject=announcement.subject,
                content="\n\n".join(lines),
                name=user.get_full_name(),
                link_url=absolute_url(path),
                link_label=_("See the announcement"),
                reply_to=[settings.COORDINATION_EMAIL],
            )
        drafts.append(
            Draft(
                user=user,
                subject=announcement.subject,
                body=announcement.body,
                link=path,
                email=message,
            )
        )
    notify_all(kind=Notification.Kind.ANNOUNCEMENTS, drafts=drafts)


def content_type(announcement: Announcement) -> str:
    """The type of the stored attachment, from the extension its check gave it."""
    extension = (announcement.attachment.name or "").rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")
