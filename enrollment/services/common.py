from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from accounts.services import email_queue
from enrollment import locks
from enrollment.models import Application, ApplicationEvent, Counter


def next_number(*, key: str, prefix: str, width: int = 4) -> str:
    """Take the next number of a sequence under a row lock; a number is never reused."""
    with transaction.atomic():
        Counter.objects.get_or_create(key=key)
        counter = locks.lock_counter(key)
        counter.last += 1
        counter.save(update_fields=["last"])
        return f"{prefix}-{counter.last:0{width}d}"


def record(
    application: Application,
    *,
    actor: User | None,
    before: str = "",
    after: str = "",
    kind: str = ApplicationEvent.Kind.STATUS,
    code: str = "",
    params: dict[str, Any] | None = None,
    note: str = "",
) -> ApplicationEvent:
    """Write one history event: codes and parameters (rendered in the reader's language by
    ``enrollment.history``), and ``note`` only for what a person wrote."""
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        before=before,
        after=after,
        kind=kind,
        code=code,
        params=params or {},
        note=note[:4000],
    )


def set_status(
    application: Application,
    status: str,
    *,
    actor: User | None,
    note: str = "",
    code: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    before = application.status
    if before == status:
        return
    application.status = status
    application.save(update_fields=["status", "updated_at"])
    record(
        application, actor=actor, before=before, after=status, note=note, code=code, params=params
    )


def notify(
    application: Application,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
) -> None:
    """E-mail the applicant, in the language of the application, after commit (Celery).
    ``attachments``: (file name, content, MIME type), e.g. an interview's ``.ics``."""
    language = application.language or application.applicant.preferred_language or "fr"
    with translation.override(language):
        full = {
            "application": application,
            "applicant": application.applicant,
            "site_url": settings.SITE_URL,
            **(context or {}),
        }
        subject = render_to_string(f"enrollment/email/{template}_subject.txt", full).strip()
        body = render_to_string(f"enrollment/email/{template}.txt", full)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[application.applicant.email]
    )
    for name, content, mimetype in attachments or []:
        message.attach(name, content, mimetype)
    email_queue(message)
