"""State changes of accounts: each one a function, inside a transaction."""

from __future__ import annotations

import base64
import logging
import mimetypes
import smtplib
from datetime import timedelta
from email.mime.base import MIMEBase
from typing import Any, overload

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser, Role, has_role, may_grant
from accounts.models import OutgoingEmail, RoleChange, User
from core import queueing

logger = logging.getLogger(__name__)

ROLE_FIELDS = {
    Role.STUDENT: "is_student",
    Role.LECTURER: "is_lecturer",
    Role.COORDINATOR: "is_coordinator",
    Role.FINANCE: "is_finance",
}
# A claim older than this is taken as a worker that died while sending.
STALE_CLAIM = timedelta(minutes=10)


@transaction.atomic
def user_set_role(
    *, actor: AnyUser | None, user: User, role: Role, granted: bool, reason: str = ""
) -> User:
    """Grant or revoke a role, keeping the history. ``actor=None`` is the system itself
    (an accepted offer grants the student role)."""
    if role not in ROLE_FIELDS:
        raise ValidationError(_("This role cannot be granted or revoked here."))
    if actor is not None and not may_grant(actor, role):
        raise PermissionDenied
    locked = User.objects.select_for_update().get(pk=user.pk)
    field = ROLE_FIELDS[role]
    if getattr(locked, field) == granted:
        return locked
    setattr(locked, field, granted)
    locked.save(update_fields=[field])
    RoleChange.objects.create(
        user=locked,
        role=role.value,
        granted=granted,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
        reason=reason[:300],
    )
    return locked


def user_set_preferred_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    User.objects.filter(pk=user.pk).exclude(preferred_language=language).update(
        preferred_language=language
    )


@overload
def email_queue(message: EmailMessage) -> OutgoingEmail: ...
@overload
def email_queue(
    message: EmailMessage, *, kind: str, show_body: bool = True
) -> OutgoingEmail | None: ...
def email_queue(
    message: EmailMessage, *, kind: str | None = None, show_body: bool = True
) -> OutgoingEmail | None:
    """Store a rendered message and have the worker send it once the transaction commits.
    Each recipient with an account is notified in the application too (``email_store``)."""
    from accounts.tasks import send_outgoing_email

    outgoing = _email_store(message, kind=kind, show_body=show_body)
    if outgoing is not None:
        queueing.after_commit(send_outgoing_email, outgoing.pk)
    return outgoing


@overload
def email_store(message: EmailMessage) -> OutgoingEmail: ...
@overload
def email_store(
    message: EmailMessage, *, kind: str, show_body: bool = True
) -> OutgoingEmail | None: ...
def email_store(
    message: EmailMessage, *, kind: str | None = None, show_body: bool = True
) -> OutgoingEmail | None:
    """Store a rendered message as pending, for the caller to send (``send_outgoing_emails``)
    or, failing that, the periodic sweep.

    Each recipient who has an account gets a ``Notification`` of ``kind`` (one of
    ``Notification.Kind``); those who muted that kind are left out of the e-mail, and when
    nobody is left nothing is stored (None). Without ``kind``, a mandatory one is derived
    from the message's link (``accounts.notifications.default_kind``): such a message is
    always stored. ``show_body=False``: the notification keeps the subject only."""
    return _email_store(message, kind=kind, show_body=show_body)


def _email_store(
    message: EmailMessage, *, kind: str | None, show_body: bool
) -> OutgoingEmail | None:
    from accounts import notifications

    recipients = notifications.recipients_of(message, kind=kind)
    outgoing = None
    if recipients.addresses:
        message.to = recipients.addresses
        outgoing = outgoing_email_row(message)
        outgoing.save()
    notifications.record_for_email(recipients, message, outgoing, show_body=show_body)
    return outgoing


def outgoing_email_row(message: EmailMessage) -> OutgoingEmail:
    """The row of a rendered message, not saved yet (``bulk_create`` stores many at once)."""
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                html = str(content)
    body = str(message.body)
    if message.content_subtype == "html":
        html, body = body, ""
    return OutgoingEmail(
        to=list(message.to),
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        # A subject is one line: a line break in a name put into it (seen in a thesis
        # e-mail) makes the mail library refuse the whole message at sending time.
        subject=" ".join(str(message.subject).split())[:300],
        body=body,
        html_body=html,
        headers=dict(message.extra_headers),
        reply_to=[str(address) for address in message.reply_to],
        attachments=[_stored_attachment(attachment) for attachment in message.attachments],
    )


def _stored_attachment(attachment: Any) -> dict[str, str]:
    """An attachment as JSON: ``(name, content, mimetype)`` or a MIME part, content in base64."""
    if isinstance(attachment, MIMEBase):
        name = attachment.get_filename() or "attachment"
        payload = attachment.get_payload(decode=True)
        content: bytes | str = payload if isinstance(payload, bytes) else b""
        mimetype = attachment.get_content_type()
    else:
        name, content, mimetype = attachment
        mimetype = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
    raw = content.encode() if isinstance(content, str) else bytes(content)
    return {"name": name, "mimetype": mimetype, "content": base64.b64encode(raw).decode("ascii")}


class TransientEmailError(Exception):
    """The mail server could not be reached; the task retries later."""


def outgoing_email_send(*, email_id: int) -> bool:
    """Send one queued e-mail; False when another run already took it (or it is gone)."""
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id)
        .filter(
            Q(status=OutgoingEmail.Status.PENDING)
            | Q(status=OutgoingEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .update(status=OutgoingEmail.Status.SENDING, claimed_at=now)
    )
    if not claimed:
        return False
    outgoing = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.body,
        from_email=outgoing.from_email,
        to=outgoing.to,
        reply_to=outgoing.reply_to,
        headers=outgoing.headers,
        connection=get_connection(),
    )
    if outgoing.html_body:
        message.attach_alternative(outgoing.html_body, "text/html")
    try:
        for attachment in outgoing.attachments:
            message.attach(
                attachment["name"], base64.b64decode(attachment["content"]), attachment["mimetype"]
            )
        message.send()
    except (BadHeaderError, ValueError) as exc:
        # The message itself cannot be sent (a header with a line break, an address that
        # is not one, an attachment that is not base64): no retry will help. Failed, with
        # the reason, for the coordinators.
        OutgoingEmail.objects.filter(pk=email_id).update(
            status=OutgoingEmail.Status.FAILED,
            attempts=outgoing.attempts + 1,
            error=str(exc)[:2000],
        )
        logger.error("E-mail %s cannot be sent: %s", email_id, exc)
        return False
    except (smtplib.SMTPException, OSError) as exc:
        OutgoingEmail.objects.filter(pk=email_id).update(
            status=OutgoingEmail.Status.PENDING,
            attempts=outgoing.attempts + 1,
            error=str(exc)[:2000],
        )
        logger.warning("E-mail %s not sent yet: %s", email_id, exc)
        raise TransientEmailError(str(exc)) from exc
    OutgoingEmail.objects.filter(pk=email_id).update(
        status=OutgoingEmail.Status.SENT,
        attempts=outgoing.attempts + 1,
        sent_at=timezone.now(),
        error="",
        body="",
        html_body="",
        attachments=[],
    )
    return True


def outgoing_email_give_up(*, email_id: int, error: str) -> None:
    OutgoingEmail.objects.filter(pk=email_id).exclude(status=OutgoingEmail.Status.SENT).update(
        status=OutgoingEmail.Status.FAILED, error=error[:2000]
    )


#: An e-mail still waiting after this long is shown to the coordinators as not sent.
EMAIL_LATE_AFTER = timedelta(minutes=10)


def outgoing_email_retry(*, actor: User, email_id: int) -> OutgoingEmail:
    """A coordinator sends a failed e-mail again (after fixing the mail server or address)."""
    from accounts.tasks import send_outgoing_email

    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    with transaction.atomic():
        outgoing = OutgoingEmail.objects.select_for_update(of=("self",)).get(pk=email_id)
        if outgoing.status != OutgoingEmail.Status.FAILED:
            raise ValidationError(_("Only an e-mail that failed can be sent again."))
        outgoing.status = OutgoingEmail.Status.PENDING
        outgoing.save(update_fields=["status"])
        queueing.after_commit(send_outgoing_email, outgoing.pk)
    return outgoing


def emails_requeue(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Every minute (beat): e-mails still pending a minute after they were stored (the broker
    was down when they were queued) are sent now; sending stays once (the claim)."""
    from accounts.tasks import send_outgoing_email

    pending = list(
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.PENDING, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)[:1000]
    )
    return sum(1 for pk in pending if queueing.send(send_outgoing_email, pk))
